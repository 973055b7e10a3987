// A resolved `.http` request → the text of a scenario file: one `provider: http` target calling it,
// a short open-loop run, and comments that say what was guessed (how the answer streams, where its
// text is) and what was left out (secrets). Text, not an object, so the comments survive: the user
// reads and edits this file.

import { stringify } from 'yaml';
import type { HttpStreamKind } from '../engine/scenario/types';
import type { ResolvedRequest } from './resolve';

export interface ScenarioText {
  yaml: string;
  /** The scenario's `name:` (`<file>-<request>`). */
  name: string;
}

/** The model the generated target names: it only picks the tokenizer and prices. */
export const DEFAULT_MODEL = 'gpt-4o-mini';

export function scenarioYaml(request: ResolvedRequest, httpFileName: string, name: string): ScenarioText {
  const { origin, pathAndQuery } = splitUrl(request.url);
  const header = request.headers.find(([n]) => n.toLowerCase() === 'accept');
  const stream = streamOf(header?.[1], request.body);
  const openAi = hasMessages(request.body);
  const out: string[] = [];
  const line = (text = '') => out.push(text);

  line(`# Load test of request "${request.label}" in ${httpFileName} (line ${request.block.line}), made from the REST Client file.`);
  line('# Check the response: section below, then run it (LLM Perf Lab: Run Scenario, or perflab run <this file>).');
  for (const d of request.dropped) line(`# Left out: ${d}.`);
  for (const n of request.notes) line(`# Note: ${n}.`);
  line(`name: ${scalar(name)}`);
  line();
  line('targets:');
  line(`  - name: ${scalar(request.label)}`);
  line('    provider: http');
  line(`    endpoint: ${scalar(origin)}`);
  line(commented(`    model: ${DEFAULT_MODEL}`, 'only picks the tokenizer and prices: name the model your app calls'));
  if (request.auth.type === 'none') line('    auth: { type: none }');
  else {
    const fields = Object.entries(request.auth).map(([k, v]) => `${k}: ${scalar(String(v))}`);
    line(`    auth: { ${fields.join(', ')} }`);
    line(`    # from "${request.authFrom}": the key comes from that environment variable, never from this file`);
  }
  line('    request:');
  line(`      method: ${request.method}`);
  line(`      url: ${scalar(pathAndQuery)}`);
  if (request.headers.length > 0) {
    line('      headers:');
    for (const [n, v] of request.headers) line(`        ${scalar(n)}: ${scalar(v)}`);
  }
  if (request.body !== undefined) {
    line('      # Sent as written. Put {{prompt}} (the question) or {{messages}} (the chat so far) where the question goes');
    line('      # to send other prompts (prompts: below); {{session_id}} and {{turn}} with sessions.');
    line(`      body: ${blockScalar(request.body, '        ')}`);
  }
  line('    response:');
  line(commented(`      stream: ${stream.kind}`, `${stream.why}; check it: sse | ndjson | text | json`));
  const path = textPathOf(stream.kind, openAi);
  if (path)
    line(commented(`      text_path: ${scalar(path)}`, `check: where the text is in each ${stream.kind === 'json' ? 'answer' : 'event'} your app sends`));
  if (openAi && stream.kind !== 'json') line(commented('      # usage_path: usage', 'token usage, if the app passes it on (else tokens are counted)'));
  else if (!openAi) {
    line(commented('      # done_when: done == true', 'an event that ends the answer, if your app sends one'));
    line(commented('      # usage_path: usage', 'where the token usage is, if your app reports it (else tokens are counted)'));
  }
  line();
  line('workload:');
  line(commented('  rate: 30', 'requests per minute, open loop'));
  line('  duration: 1m');
  line('  # Conversations instead of single requests: each virtual user sends `interactions` requests in turn.');
  line('  # sessions:');
  line('  #   interactions: 3');
  line('  #   think_time: 5s');
  line('  #   think_time_jitter: 0.5');
  line(commented('  #   carry_history: true', 'each turn sends the conversation so far: use {{messages}} in the body'));
  line();
  line('# What {{prompt}} / {{messages}} hold, when the body uses them:');
  line('# prompts:');
  line(commented('#   dataset: questions.jsonl', 'one {"messages": [...]} per line'));
  line();
  line('# slos:');
  line('#   - ttft.p95 < 2s');
  line('#   - e2e.p95 < 10s');
  line('#   - failures < 1%');
  return { yaml: `${out.join('\n')}\n`, name };
}

/** A line with a comment after it, the comments of a file lined up in one column. */
function commented(text: string, comment: string): string {
  return `${text.padEnd(COMMENT_COLUMN - 1)} # ${comment}`;
}

const COMMENT_COLUMN = 40;

/** `http://host:port` and the rest (`/path?query`), as written (placeholders kept). */
function splitUrl(url: string): { origin: string; pathAndQuery: string } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(.*)$/i.exec(url)!;
  const rest = m[2] === '' ? '/' : m[2].startsWith('?') ? `/${m[2]}` : m[2];
  return { origin: m[1], pathAndQuery: rest };
}

/** How the answer streams, from the Accept header, else from `"stream": true` in the body. */
export function streamOf(accept: string | undefined, body: string | undefined): { kind: HttpStreamKind; why: string } {
  const a = (accept ?? '').toLowerCase();
  if (a.includes('text/event-stream')) return { kind: 'sse', why: 'from Accept: text/event-stream' };
  if (a.includes('application/x-ndjson') || a.includes('application/jsonl')) return { kind: 'ndjson', why: `from Accept: ${accept}` };
  if (a.includes('text/plain')) return { kind: 'text', why: 'from Accept: text/plain' };
  if (body !== undefined && /"stream"\s*:\s*true/.test(body)) return { kind: 'sse', why: 'guessed from "stream": true in the body' };
  return { kind: 'json', why: 'guessed: nothing says it streams' };
}

/** An OpenAI-shaped body: a `messages` array at its top level. */
function hasMessages(body: string | undefined): boolean {
  if (body === undefined) return false;
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === 'object' && value !== null && Array.isArray((value as { messages?: unknown }).messages);
  } catch {
    // A body with perflab placeholders ({{messages}}) is not JSON yet.
    return /"messages"\s*:/.test(body);
  }
}

function textPathOf(kind: HttpStreamKind, openAi: boolean): string | undefined {
  if (kind === 'text') return undefined;
  if (kind === 'json') return openAi ? 'choices[0].message.content' : 'answer';
  return openAi ? 'choices[0].delta.content' : 'delta.text';
}

/** A string as a YAML scalar on one line: plain when that reads back as the same string, else quoted. */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** A multi-line string as a literal block (`|-`) indented by `indent` (its key's indentation + 2), or quoted when a block cannot
 *  carry it exactly (lines of only spaces, characters YAML does not allow). */
function blockScalar(text: string, indent: string): string {
  const lines = text.split('\n');
  const exact =
    // eslint-disable-next-line no-control-regex -- exactly the characters a YAML block cannot hold
    !/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFEFF]/.test(text) && lines.every((l) => l === '' || l.trim() !== '') && lines[0] !== '';
  if (!exact) return JSON.stringify(text);
  // A first line that starts with a space needs the indentation stated: the content is 2 deeper than its key.
  const indicator = /^\s/.test(lines[0]) ? '2' : '';
  return `|${indicator}-\n${lines.map((l) => (l === '' ? '' : `${indent}${l}`)).join('\n')}`;
}

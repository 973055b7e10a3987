// The exported locustfile fills an http target's templates and reads its answers by the engine's own
// rules: the same inputs go through the Python runtime (src/export/locust_runtime.py, loaded from a
// generated locustfile) and through the engine's TypeScript (src/engine/http-target/), and come out
// the same — rendered bodies, URLs and headers; the text, events, usage and verdict of each answer.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileResponse, httpBodyReader } from '../../../src/engine/http-target/http-reader';
import { isDone, parseDoneCondition, parsePath, valueAt } from '../../../src/engine/http-target/json-path';
import { parseTemplate, renderTemplate, type TemplateKind } from '../../../src/engine/http-target/template';
import { parseScenario } from '../../../src/engine/scenario/load';
import type { HttpResponseSpec } from '../../../src/engine/scenario/types';
import { emptyOutput } from '../../../src/engine/stream-output';
import { locustExport, LOCUSTFILE } from '../../../src/export/locust';
import { buildExportPlan } from '../../../src/export/plan';
import { PYTHON, tmpDir } from './helpers';

/** Runs `script` with the generated locustfile's namespace as `ns` and the cases on stdin; prints JSON. */
function python(locustfile: string, script: string, cases: unknown): unknown {
  const program = `
import json, runpy, sys
ns = runpy.run_path(sys.argv[1])
cases = json.load(sys.stdin)
${script}
`;
  const r = spawnSync(PYTHON, ['-c', program, locustfile], { input: JSON.stringify(cases), encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const TEMPLATES: { source: string; kind: TemplateKind; values: Record<string, unknown> }[] = [
  // JSON: in a string the text is escaped; outside one the value is a JSON literal; missing → "" / null.
  {
    source: '{"q": "{{prompt}}", "m": {{messages}}, "t": {{turn}}, "s": "{{ session_id }}", "n": {{missing}}, "e": "{{missing}}"}',
    kind: 'json',
    values: {
      prompt: 'He said "hi"\nthen \\ left\t— €, 😀 and \u0001',
      messages: [{ role: 'user', content: 'a "b"\n' }],
      turn: 3,
      session_id: 'app-s7',
    },
  },
  {
    source: '[{{n}}, "{{n}}", {{o}}, "{{o}}", {{nul}}, "{{nul}}", {{b}}, "x\\"{{s}}\\""]',
    kind: 'json',
    values: { n: 1.5, o: { a: [1, 'x'] }, nul: null, b: true, s: 'y"z' },
  },
  {
    source: 'Question: {{prompt}}\nHistory: {{messages}}\nTurn {{turn}}{{missing}}.',
    kind: 'text',
    values: { prompt: 'a "b"\nc', messages: [{ role: 'user', content: 'q' }], turn: 2 },
  },
  {
    source: '/app/chat/{{topic}}?q={{prompt}}&t={{turn}}&m={{messages}}',
    kind: 'url',
    values: { topic: 'a/b c', prompt: "x&y=z ü ~*'()!", turn: 1, messages: [1] },
  },
];

const PATHS: { path: string; data: unknown }[] = [
  { path: 'choices[0].delta.content', data: { choices: [{ delta: { content: 'hi' } }] } },
  { path: 'choices[1].delta', data: { choices: [{ delta: {} }] } },
  { path: 'a.b', data: { a: 'text' } },
  { path: 'items.length', data: { items: [1, 2, 3] } },
  { path: 'x', data: [1] },
];

const DONE: { when: string; data: unknown }[] = [
  { when: 'done == true', data: { done: true } },
  { when: 'done == true', data: { done: 1 } },
  { when: 'done', data: { done: [] } },
  { when: 'done', data: { done: '' } },
  { when: 'done', data: { done: 0 } },
  { when: 'type == "end"', data: { type: 'end' } },
  { when: 'n == 1', data: { n: 1.0 } },
  { when: 'o == null', data: { o: null } },
  { when: 'o == null', data: {} },
  { when: 'o == {}', data: { o: {} } },
];

interface Answer {
  spec: HttpResponseSpec;
  /** The body as the app sends it, in pieces. */
  chunks: string[];
}

const SSE: HttpResponseSpec = { stream: 'sse', text_path: 'delta.text', done_when: 'done == true', usage_path: 'usage' };
const ANSWERS: Answer[] = [
  {
    spec: SSE,
    chunks: [
      ': ping\n\ndata: {"type":"retrieval","documents":3}\n\n',
      'data: {"delta":{"text":"Hel"}}\n\ndata: {"delta":{"text":""}}\n\n',
      'data: {"delta":{"text":"lo"}}\r\n\r\n',
      'data: {"done":true,"usage":{"prompt_tokens":11,"completion_tokens":2}}\n\n',
      'data: {"delta":{"text":"after the end"}}\n\n',
    ],
  },
  // The body ends before done_when matched: dropped.
  { spec: SSE, chunks: ['data: {"delta":{"text":"Hi"}}\n\n'] },
  // [DONE] always ends an SSE answer; usage under its Responses API names.
  {
    spec: { stream: 'sse', text_path: 'delta.text', usage_path: 'u' },
    chunks: ['data: {"delta":{"text":"a"}}\n\ndata: {"u":{"input_tokens":4,"output_tokens":1}}\n\ndata: [DONE]\n\n'],
  },
  // SSE whose data is the text; an `event: error`.
  { spec: { stream: 'sse' }, chunks: ['data: one\n\ndata:two\n\n', 'data:  three\ndata: four\n\n'] },
  { spec: { stream: 'sse' }, chunks: ['data: one\n\nevent: error\ndata: it broke\n\n'] },
  { spec: SSE, chunks: ['data: {"error":{"message":"quota"}}\n\n'] },
  { spec: SSE, chunks: ['data: {"delta":{"text":"a"}}\n\ndata: not json\n\n'] },
  { spec: SSE, chunks: ['data: {"type":"retrieval"}\n\n', 'data: {"done":true}\n\n'] },
  { spec: { stream: 'sse', text_path: 'delta.text' }, chunks: [] },
  // NDJSON: one object per line; the last line without its line break still counts.
  {
    spec: { stream: 'ndjson', text_path: 'delta.text', done_when: 'done', usage_path: 'usage' },
    chunks: [
      '{"type":"retrieval"}\n{"delta":{"te',
      'xt":"x"}}\n\n{"delta":{"text":"y"}}\r\n',
      '{"done":true,"usage":{"prompt_tokens":3,"completion_tokens":2}}',
    ],
  },
  { spec: { stream: 'ndjson', text_path: 'answer' }, chunks: ['{"answer":"a"}\n{"answer":5}\n{"answer":"b"}\n'] },
  { spec: { stream: 'ndjson', text_path: 'answer' }, chunks: ['{"other":"a"}\n'] },
  // Raw text; an empty body.
  { spec: { stream: 'text' }, chunks: ['Hello, ', 'wor', 'ld ✓'] },
  { spec: { stream: 'text' }, chunks: [] },
  // One JSON body: its text and usage, or what is wrong with it.
  {
    spec: { stream: 'json', text_path: 'answer', usage_path: 'usage' },
    chunks: ['{"answer":"All', ' good","usage":{"prompt_tokens":9,"completion_tokens":3}}'],
  },
  { spec: { stream: 'json', text_path: 'answer' }, chunks: ['{"answer":""}'] },
  { spec: { stream: 'json', text_path: 'answer' }, chunks: ['<html>'] },
];

interface Outcome {
  text: string;
  events: number;
  ttft: boolean;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  error: string | null;
  finish_reason: string | null;
}

/** The engine's reading of one answer. */
function engineRead(a: Answer): Outcome {
  const out = emptyOutput();
  let error: string | null | undefined;
  const reader = httpBodyReader(compileResponse(a.spec), { output: out, finish: (e) => (error ??= e) });
  for (const c of a.chunks) if (error === undefined) reader.push(Buffer.from(c));
  if (error === undefined) reader.end();
  const usage = out.usage && { prompt_tokens: out.usage.prompt_tokens, completion_tokens: out.usage.completion_tokens };
  return {
    text: out.text,
    events: out.outputTimes.length,
    ttft: out.firstVisibleAt !== null,
    usage,
    error: error ?? null,
    finish_reason: error ? null : out.finishReason,
  };
}

const READ_ANSWERS = `
import requests

class Pieces:
    """A response body that arrives in the app's pieces, one per read (as from a socket)."""
    def __init__(self, chunks):
        self.chunks = [c.encode("utf-8") for c in chunks]
    def read(self, _amount=None, **_kwargs):
        return self.chunks.pop(0) if self.chunks else b""

out = []
for case in cases:
    t = {"method": "POST", "path": "/", "headers": {}, "body": None,
         "response": {"stream": case["spec"]["stream"], "text_path": case["spec"].get("text_path"),
                      "done_when": case["spec"].get("done_when"), "usage_path": case["spec"].get("usage_path")}}
    resp = requests.Response()
    resp.status_code = 200
    resp.raw = Pieces(case["chunks"])
    s = ns["StreamState"]()
    r = {"state": s, "end": None}
    user = type("U", (), {"http": ns["HttpCall"](t)})()
    ns["LlmUser"].read_app_answer(user, resp, r, float("inf"))
    usage = s.usage and {"prompt_tokens": s.usage["prompt_tokens"], "completion_tokens": s.usage["completion_tokens"]}
    out.append({"text": "".join(s.text), "events": len(s.output_times), "ttft": s.first_visible is not None, "usage": usage,
                "error": s.error_class, "finish_reason": None if s.error_class else s.finish_reason})
print(json.dumps(out))
`;

describe('perflab export locust: http targets follow the engine’s rules', function () {
  this.timeout(60_000);
  let locustfile: string;

  before(() => {
    assert.ok(fs.existsSync(PYTHON), `${PYTHON} is missing: Debian's python3 is needed (run bash scripts/apt-deps.sh)`);
    const dir = tmpDir('perflab-locust-rules-');
    const scenario = parseScenario(
      `name: rules
targets:
  - name: app
    provider: http
    endpoint: http://127.0.0.1:9
    model: gpt-4o-mini
    request: { url: /app, body: '{"q": "{{prompt}}"}' }
    response: { stream: sse, text_path: delta.text }
workload: { rate: 60, duration: 10s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 10 }
`,
      path.join(dir, 'rules.perf.yaml'),
    );
    for (const f of locustExport(buildExportPlan(scenario))) fs.writeFileSync(path.join(dir, f.name), f.text);
    locustfile = path.join(dir, LOCUSTFILE);
  });

  it('templates: JSON in and out of strings, text and URLs are filled as the engine fills them', () => {
    const got = python(
      locustfile,
      'print(json.dumps([ns["render_template"](ns["parse_template"](c["source"], c["kind"]), c["values"]) for c in cases]))',
      TEMPLATES,
    ) as string[];
    const want = TEMPLATES.map((c) => renderTemplate(parseTemplate(c.source, c.kind), c.values));
    assert.deepEqual(got, want);
    // What the cases cover: an escaped string, a literal, and a JSON body that still parses.
    assert.ok(want[0].includes('"q": "He said \\"hi\\"\\nthen \\\\ left'), want[0]);
    assert.equal(JSON.parse(want[0]).q, TEMPLATES[0].values.prompt);
    assert.deepEqual(JSON.parse(want[0]).m, TEMPLATES[0].values.messages);
    assert.equal(JSON.parse(want[0]).n, null);
  });

  it('paths and done_when read a value as the engine reads it', () => {
    const got = python(
      locustfile,
      `
res = []
for c in cases["paths"]:
    v = ns["value_at"](c["data"], ns["parse_path"](c["path"]))
    res.append(None if v is ns["MISSING"] else v)
done = [ns["is_done"](ns["parse_done"](c["when"]), c["data"]) for c in cases["done"]]
print(json.dumps({"paths": res, "done": done}))
`,
      { paths: PATHS, done: DONE },
    );
    const want = {
      paths: PATHS.map((c) => valueAt(c.data, parsePath(c.path)) ?? null),
      done: DONE.map((c) => isDone(parseDoneCondition(c.when), c.data)),
    };
    assert.deepEqual(got, want);
    assert.deepEqual(want.done, [true, false, true, false, false, true, true, true, false, false], 'the cases cover both verdicts');
  });

  it('answers: sse, ndjson, text and json bodies give the same text, events, usage and verdict', () => {
    const got = python(locustfile, READ_ANSWERS, ANSWERS) as Outcome[];
    const want = ANSWERS.map(engineRead);
    for (const [i, w] of want.entries()) assert.deepEqual(got[i], w, `answer ${i}: ${JSON.stringify(ANSWERS[i])}`);
    // The cases reach every verdict the reader gives.
    assert.deepEqual(
      [...new Set(want.map((w) => w.error))].sort(),
      [null, 'http_error', 'malformed_stream', 'stream_dropped'].sort((a, b) => String(a).localeCompare(String(b))),
    );
  });
});

// REST Client files (`.http`, `.rest`) as perflab scenarios: pick one request, resolve it, and get
// the scenario's text (to write beside the file: `perflab import http`, the editor's "Load test this
// request") or the validated Scenario (to run it directly: `perflab run requests.http --request NAME`).
// Problems are ScenarioErrors naming `file:line:col`, so the CLI and the editor report them as they
// report a scenario's. No 'vscode' here.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseScenario, ScenarioError } from '../engine/scenario/load';
import type { Scenario } from '../engine/scenario/types';
import { findRequest, listRequests, parseHttpFile, requestLabel, type HttpRequestBlock, type ParsedHttpFile } from './parse';
import { HttpFileProblemError, resolveRequest, type ResolvedRequest } from './resolve';
import { scenarioYaml } from './to-scenario';

/** The glob of REST Client files (CodeLens selector, activation). */
export const HTTP_FILE_GLOB = '**/*.{http,rest}';

export function isHttpFile(file: string): boolean {
  return /\.(http|rest)$/i.test(file);
}

export interface HttpConversion {
  /** The scenario file's text. */
  yaml: string;
  /** Its `name:` and the stem of the file it is written to: `<file>-<request>`. */
  name: string;
  request: ResolvedRequest;
}

/** Which request: its name or number; undefined takes the file's only request. */
export type RequestSelector = string | number | undefined;

/** One request of an `.http` file's text as scenario text. Throws ScenarioError. */
export function convertHttpText(text: string, httpFile: string, selector: RequestSelector): HttpConversion {
  const parsed = parseHttpFile(text);
  const twice = parsed.problems[0];
  if (twice) throw problem(httpFile, twice.line, twice.col, twice.message);
  const block = pickRequest(parsed, httpFile, selector);
  let request: ResolvedRequest;
  try {
    request = resolveRequest(parsed, block, httpFile);
  } catch (error) {
    if (error instanceof HttpFileProblemError) throw problem(httpFile, error.line, error.col, error.message);
    throw error;
  }
  const name = scenarioStem(httpFile, block);
  return { ...scenarioYaml(request, path.basename(httpFile), name), request };
}

/** Reads the file, then as convertHttpText. */
export function convertHttpFile(httpFile: string, selector: RequestSelector): HttpConversion {
  let text: string;
  try {
    text = fs.readFileSync(httpFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw problem(httpFile, 1, 1, code === 'ENOENT' ? 'file not found' : `cannot read file: ${code ?? (error as Error).message}`);
  }
  return convertHttpText(text, httpFile, selector);
}

/** The validated scenario of one request, to run without writing a file. Throws ScenarioError. */
export function scenarioFromHttpFile(httpFile: string, selector: RequestSelector): { scenario: Scenario; conversion: HttpConversion } {
  const conversion = convertHttpFile(httpFile, selector);
  // Named as the file it would be written to: relative paths in it resolve beside the .http file.
  const fileName = path.join(path.dirname(path.resolve(httpFile)), `${conversion.name}.perf.yaml`);
  try {
    return { scenario: parseScenario(conversion.yaml, fileName), conversion };
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    const where = `the scenario made from ${path.basename(httpFile)}, request ${conversion.request.label}`;
    throw new ScenarioError(error.problems.map((p) => ({ ...p, message: `${p.message} (in ${where})` })));
  }
}

/** Writes the scenario beside the `.http` file as `<name>.perf.yaml`, never over an existing file
 *  (`<name>-2.perf.yaml`, `-3`, …). Returns the path written. */
export function writeScenarioBeside(httpFile: string, conversion: HttpConversion): string {
  const dir = path.dirname(path.resolve(httpFile));
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${conversion.name}${n === 1 ? '' : `-${n}`}.perf.yaml`);
    try {
      fs.writeFileSync(file, conversion.yaml, { flag: 'wx' });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** What a user should be told after a conversion: what was left out, and notes. */
export function conversionMessages(conversion: HttpConversion): string[] {
  return [...conversion.request.dropped.map((d) => `left out ${d}`), ...conversion.request.notes];
}

function pickRequest(parsed: ParsedHttpFile, httpFile: string, selector: RequestSelector): HttpRequestBlock {
  if (parsed.requests.length === 0) throw problem(httpFile, 1, 1, 'no request in this file (a request line such as "POST https://host/path")');
  if (selector === undefined) {
    if (parsed.requests.length === 1) return parsed.requests[0];
    throw problem(httpFile, 1, 1, `${parsed.requests.length} requests in this file: pick one by name or number (${listRequests(parsed)})`);
  }
  const block = typeof selector === 'number' ? parsed.requests[selector - 1] : findRequest(parsed, selector);
  if (!block) throw problem(httpFile, 1, 1, `no request "${selector}" in this file; its requests: ${listRequests(parsed)}`);
  return block;
}

/** `<file>-<request>`, in characters safe in a file name. */
function scenarioStem(httpFile: string, block: HttpRequestBlock): string {
  const safe = (s: string) =>
    s
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, 60);
  const base = safe(path.basename(httpFile).replace(/\.(http|rest)$/i, '')) || 'requests';
  return `${base}-${safe(requestLabel(block)) || String(block.index)}`;
}

function problem(file: string, line: number, column: number, message: string): ScenarioError {
  return new ScenarioError([{ file, line, column, path: '', message }]);
}

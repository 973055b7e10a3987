// JMeter's CSV results (a .jtl or .csv file), as `jmeter -n -t plan.jmx -l results.jtl` writes them with
// JMeter's default settings and as Azure Load Testing's result download holds them (one file per
// engine, same columns). What the columns mean (Apache JMeter user manual: "Listeners", CSV log format,
// https://jmeter.apache.org/usermanual/listeners.html; "Glossary",
// https://jmeter.apache.org/usermanual/glossary.html):
//   timeStamp  the sample's start, ms since the epoch (jmeter.properties sets
//              sampleresult.timestamp.start=true, the default since JMeter 2.1)
//   elapsed    "from just before sending the request to just after the last response has been
//              received": the whole stream, E2E
//   Latency    "from just before sending the request to just after the first response has been
//              received": the first bytes of the response (its headers) — TTFB, not the first token
//   Connect    time to set up the connection, included in Latency
//   success    true / false (false for a non-2xx code, a failed assertion, or no response at all)
//   responseCode  the HTTP status, or "Non HTTP response code: <exception>" when none came
// A first line naming the columns is used when present (print_field_names=true, the default); without
// one the default columns, in JMeter's default order, are assumed.

import { CsvError, parseCsv } from '../dataset/csv';
import type { ErrorClass, RequestRecord } from '../engine/records';
import type { Api } from '../engine/scenario/types';
import { linesOfAsync } from '../results/jsonl';

export const JTL_DEFAULT_COLUMNS = [
  'timeStamp',
  'elapsed',
  'label',
  'responseCode',
  'responseMessage',
  'threadName',
  'dataType',
  'success',
  'failureMessage',
  'bytes',
  'sentBytes',
  'grpThreads',
  'allThreads',
  'URL',
  'Latency',
  'IdleTime',
  'Connect',
] as const;

const REQUIRED = ['timeStamp', 'elapsed', 'label', 'success'];

export interface JtlSample {
  startMs: number;
  elapsedMs: number;
  /** Time to the first response bytes; null when the file has no Latency column. */
  latencyMs: number | null;
  label: string;
  responseCode: string;
  responseMessage: string;
  threadName: string;
  success: boolean;
  failureMessage: string;
}

export class JtlError extends Error {}

/** The samples of one JTL file, in file order; lines that are not samples are counted in `unreadable`. */
export async function* jtlSamples(file: string, counts: { unreadable: number }): AsyncGenerator<JtlSample> {
  let columns: Map<string, number> | null = null;
  let width = 0;
  for await (const line of linesOfAsync(file)) {
    if (columns === null) {
      if (line.trimStart().startsWith('<'))
        throw new JtlError(`${file}: an XML results file; write CSV (JMeter's default, jmeter.save.saveservice.output_format=csv)`);
      const fields = fieldsOf(line, file);
      if (fields && REQUIRED.every((c) => fields.includes(c))) {
        columns = new Map(fields.map((name, i) => [name, i]));
        width = fields.length;
        continue;
      }
      columns = new Map(JTL_DEFAULT_COLUMNS.map((name, i) => [name, i]));
      width = JTL_DEFAULT_COLUMNS.length;
    }
    const fields = fieldsOf(line, file);
    const sample = fields && fields.length === width ? sampleOf(fields, columns) : null;
    if (sample) yield sample;
    else counts.unreadable++;
  }
}

function fieldsOf(line: string, file: string): string[] | null {
  try {
    const records = parseCsv(line, file);
    return records.length === 1 ? records[0].fields : null;
  } catch (error) {
    if (error instanceof CsvError) return null; // a line cut short, or a field broken over two lines
    throw error;
  }
}

function sampleOf(fields: string[], columns: Map<string, number>): JtlSample | null {
  const get = (name: string) => {
    const i = columns.get(name);
    return i === undefined ? '' : fields[i];
  };
  const startMs = timestamp(get('timeStamp'));
  const elapsedMs = Number(get('elapsed'));
  const success = get('success').toLowerCase();
  if (startMs === null || get('elapsed') === '' || !Number.isFinite(elapsedMs) || (success !== 'true' && success !== 'false')) return null;
  const latency = get('Latency');
  return {
    startMs,
    elapsedMs,
    latencyMs: latency !== '' && Number.isFinite(Number(latency)) ? Number(latency) : null,
    label: get('label'),
    responseCode: get('responseCode'),
    responseMessage: get('responseMessage'),
    threadName: get('threadName'),
    success: success === 'true',
    failureMessage: get('failureMessage'),
  };
}

/** Milliseconds since the epoch (JMeter's default timestamp_format=ms), or a date JavaScript can read. */
function timestamp(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** Which scenario target a sample belongs to: the exported plan names its samplers
 *  `<target> chat stream` / `<target> responses stream` (src/export/jmeter.ts); a plan with one
 *  target takes every label. */
export function targetOfLabel(label: string, targets: string[]): string | null {
  for (const t of targets) if (label === t || label === `${t} chat stream` || label === `${t} responses stream`) return t;
  return targets.length === 1 ? targets[0] : null;
}

/** The engine's failure class for a sample (records.ts ErrorClass). */
export function errorClassOf(s: JtlSample): ErrorClass | null {
  if (s.success) return null;
  const code = s.responseCode.trim();
  if (code === '429') return 'throttled';
  if (/^\d+$/.test(code)) {
    // 200 with a failed assertion: the exported plan checks that the stream ended properly.
    return code === '200' ? 'stream_dropped' : 'http_error';
  }
  if (/timeout/i.test(code)) return 'timeout';
  // No HTTP status: refused or unreachable before any byte came back, or cut off after some did.
  return s.latencyMs !== null && s.latencyMs > 0 ? 'stream_dropped' : 'connection';
}

/** One sample as a RequestRecord: E2E from elapsed, TTFB from Latency; JMeter does not read the stream,
 *  so no first token, chunks or token counts. */
export function recordOfSample(s: JtlSample, target: string, api: Api | 'http'): Omit<RequestRecord, 'id'> {
  const error = errorClassOf(s);
  const status = /^\d+$/.test(s.responseCode.trim()) ? Number(s.responseCode) : null;
  const message = [s.responseCode, s.responseMessage, s.failureMessage].filter((x) => x !== '').join(': ');
  return {
    type: 'request',
    target,
    api,
    response_id: null,
    request_id: null,
    scheduled_ms: null,
    start_ms: s.startMs,
    send_lag_ms: null,
    ttfb_ms: status !== null && s.latencyMs !== null ? s.latencyMs : null,
    ttft_ms: null,
    client_delay_ms: null,
    ttfr_ms: null,
    e2e_ms: s.elapsedMs,
    tbt_ms: null,
    tbt_all_ms: null,
    content_chunks: 0,
    reasoning_chunks: 0,
    prompt_tokens: null,
    completion_tokens: null,
    cached_tokens: null,
    reasoning_tokens: null,
    tokens_estimated: false,
    finish_reason: null,
    status,
    attempts: 1,
    throttled_attempts: status === 429 ? 1 : 0,
    backoff_ms: 0,
    error,
    error_message: error ? message.slice(0, 320) : null,
    utilization: null,
    ratelimit_remaining_requests: null,
    ratelimit_remaining_tokens: null,
    warmup: false,
  };
}

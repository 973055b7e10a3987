// The Prometheus text exposition format (version 0.0.4, and the OpenMetrics text that servers send
// to scrapers asking for it): lines of `name{label="value",…} value [timestamp]`, `# HELP` and
// `# TYPE` lines, histograms as `_bucket{le=…}` / `_sum` / `_count` samples.
//
// Why a parser of our own: the npm parsers we checked drop what LLM servers publish.
// parse-prometheus-text-format (1.1.1) merges the buckets of every label set of a histogram into one
// and drops `_sum` / `_count` that carry labels — vLLM labels every series with `model_name` (and
// `engine`), so its TTFT histogram comes out wrong. prom2javascript (0.2.0) only accepts names of
// `\w` characters and rejects `vllm:…` and `llamacpp:…`. This one follows the format's grammar:
// metric names with colons, escaped label values, NaN / ±Inf, optional timestamps, exemplars, and
// samples grouped into families by their TYPE and the suffixes a type allows.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface PromFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: PromSample[];
}

/** A body that is not the text format (an HTML page, JSON, a truncated line). */
export class PrometheusParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Suffixes a type's samples may carry besides the family name itself. */
const SUFFIXES: Record<MetricType, string[]> = {
  counter: ['_total', '_created'],
  gauge: [],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  summary: ['_count', '_sum', '_created'],
  untyped: [],
};

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;

/** Every family in the text, in order of first appearance. Throws PrometheusParseError. */
export function parsePrometheusText(text: string): PromFamily[] {
  const families = new Map<string, PromFamily>();
  const family = (name: string): PromFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (!meta) continue; // a comment, `# EOF`, `# UNIT`
      const [, kind, name, rest = ''] = meta;
      if (!isMetricName(name)) throw new PrometheusParseError(i + 1, `invalid metric name in # ${kind}: ${shorten(name)}`);
      if (kind === 'HELP') family(name).help = unescapeHelp(rest);
      else family(name).type = metricType(rest.trim(), i + 1);
      continue;
    }
    const sample = parseSampleLine(line, i + 1);
    familyOf(sample.name, families, family).samples.push(sample);
  }
  return [...families.values()].filter((f) => f.samples.length > 0);
}

/** The family a sample belongs to: its own name, or a declared family whose type allows its suffix. */
function familyOf(name: string, families: Map<string, PromFamily>, make: (name: string) => PromFamily): PromFamily {
  const own = families.get(name);
  if (own) return own;
  for (const suffix of ['_bucket', '_count', '_sum', '_created', '_total']) {
    if (!name.endsWith(suffix)) continue;
    const base = families.get(name.slice(0, -suffix.length));
    if (base && SUFFIXES[base.type].includes(suffix)) return base;
  }
  return make(name);
}

function metricType(word: string, line: number): MetricType {
  switch (word.toLowerCase()) {
    case 'counter':
      return 'counter';
    case 'gauge':
      return 'gauge';
    case 'histogram':
      return 'histogram';
    case 'summary':
      return 'summary';
    case 'untyped':
    case 'unknown':
      return 'untyped';
    case 'gaugehistogram':
      return 'histogram';
    case 'info':
    case 'stateset':
      return 'gauge';
    default:
      throw new PrometheusParseError(line, `unknown metric type "${shorten(word)}"`);
  }
}

/** `name{a="x",b="y"} 1.5 1700000000000`, with an optional OpenMetrics exemplar (` # {…} v`) after. */
function parseSampleLine(line: string, lineNo: number): PromSample {
  let i = 0;
  const fail = (what: string): never => {
    throw new PrometheusParseError(lineNo, `${what}: ${shorten(line)}`);
  };
  if (!NAME_START.test(line[0] ?? '')) fail('not a sample line (a metric name must come first)');
  while (i < line.length && NAME_CHAR.test(line[i])) i++;
  const name = line.slice(0, i);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      if (!LABEL_START.test(line[i] ?? '')) fail('invalid label name');
      const start = i;
      while (i < line.length && LABEL_CHAR.test(line[i])) i++;
      const label = line.slice(start, i);
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '=') fail(`expected = after label ${label}`);
      i++;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '"') fail(`expected a quoted value for label ${label}`);
      i++;
      let value = '';
      for (;;) {
        if (i >= line.length) fail(`unterminated value of label ${label}`);
        const c = line[i++];
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          value += e === 'n' ? '\n' : e === '\\' ? '\\' : e === '"' ? '"' : `\\${e ?? ''}`;
        } else value += c;
      }
      labels[label] = value;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') fail(`expected , or } after label ${label}`);
    }
  }
  const rest = line.slice(i);
  if (rest !== '' && rest[0] !== ' ' && rest[0] !== '\t') fail('expected a space before the value');
  const words = rest
    .split(' # ')[0]
    .trim()
    .split(/[ \t]+/);
  if (words.length < 1 || words[0] === '' || words.length > 2) fail('expected a value and at most a timestamp');
  const value = parseValue(words[0]);
  if (value === null) fail(`invalid value "${shorten(words[0])}"`);
  const sample: PromSample = { name, labels, value: value! };
  if (words.length === 2) {
    const ts = Number(words[1]);
    if (!Number.isFinite(ts)) fail(`invalid timestamp "${shorten(words[1])}"`);
    sample.timestampMs = ts;
  }
  return sample;
}

/** Go's ParseFloat as the format uses it: decimal and exponent forms, NaN, Inf, +Inf, -Inf. */
export function parseValue(word: string): number | null {
  const lower = word.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(word)) return null;
  return Number(word);
}

function isMetricName(name: string): boolean {
  return /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** One label set of a histogram: cumulative bucket counts by upper bound, +Inf last. */
export interface HistogramSeries {
  labels: Record<string, string>;
  /** Upper bounds as the server wrote them ("0.1", "+Inf") with their cumulative counts, sorted. */
  buckets: { le: string; bound: number; count: number }[];
  count: number;
  sum: number;
}

/** A histogram family's label sets (labels without `le`), each with its buckets, count and sum. */
export function histogramSeries(family: PromFamily): HistogramSeries[] {
  const byKey = new Map<string, HistogramSeries>();
  const get = (labels: Record<string, string>): HistogramSeries => {
    const key = labelKey(labels);
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { labels, buckets: [], count: NaN, sum: NaN }));
    return s;
  };
  for (const sample of family.samples) {
    if (sample.name === `${family.name}_bucket`) {
      const { le, ...labels } = sample.labels;
      const bound = le === undefined ? null : parseValue(le);
      if (bound === null || Number.isNaN(bound)) continue;
      get(labels).buckets.push({ le: le!, bound, count: sample.value });
    } else if (sample.name === `${family.name}_count`) get(sample.labels).count = sample.value;
    else if (sample.name === `${family.name}_sum`) get(sample.labels).sum = sample.value;
  }
  const out: HistogramSeries[] = [];
  for (const s of byKey.values()) {
    if (s.buckets.length === 0) continue;
    s.buckets.sort((a, b) => a.bound - b.bound);
    const inf = s.buckets.at(-1)!;
    if (Number.isNaN(s.count)) s.count = inf.bound === Infinity ? inf.count : NaN;
    out.push(s);
  }
  return out;
}

/** A stable key for a label set: `a="x",b="y"` with names sorted. */
export function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

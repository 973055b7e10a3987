// `perflab export jmeter`: a JMeter 5 test plan (JMX) for a scenario, plus the Azure Load Testing
// configuration (`testType: JMX`).
//
// Per target one plain ThreadGroup (threads = clients, ramp-up, scheduler with the duration) holding:
// a CSV Data Set Config over prompts-<target>.csv (request bodies built and counted by our engine;
// tab-separated `body_head<TAB>body_tail`, split where the random anti-cache prefix goes), a
// HeaderManager (content type, accept, the key), an HTTPSamplerProxy POST of the raw body, a
// ConstantThroughputTimer for the open-loop rate (shared by the group's threads) or a ConstantTimer
// for the closed loop's think time, and a ResponseAssertion that the stream ended properly.
//
// The key never appears, not in the plan and not on a command line (where `ps` shows it): the plan
// reads the environment variable ENV through JMeter's built-in `__groovy` function (JMeter ≥ 3.1),
// else the JMeter property ENV, else, on Azure Load Testing, the Key Vault secret (`__GetSecret`).
//
// http targets (provider: http) get their own request: method, path, headers and body from the
// templates (jmeter-http.ts), no stream assertion. With `workload.sessions` each thread-group iteration
// is one session: a Flow Control Action paced at sessions/min, then a Loop Controller of `interactions`
// turns with a Uniform Random Timer (think_time × (1 ± jitter)) before every turn but the first, and
// counters for {{session_id}} and {{turn}}. JMeter does not read the answers, so a session's history
// is not carried (a warning says so).
//
// JMeter times the whole stream (elapsed = e2e) and the first byte (latency), not the first token:
// for TTFT / TBT use the Locust export or `perflab run`.

import { azureLoadTestingConfig } from './azure-load-testing';
import { jmeterHttpRequest, sessionVariables, type JmeterHttpRequest } from './jmeter-http';
import { type ExportFile, type ExportPlan, type LoadPlan, type PromptLine, type TargetPlan, PREFIX_DIGITS } from './plan';

export const JMX_FILE = 'plan.jmx';
export const JMETER_ALT = 'alt-jmeter.yaml';
/** Sentinel that marks the prefix while a body is serialized (cannot occur in JSON text). */
const SPLIT = '\u0000PERFLAB-PREFIX\u0000';

export interface JmeterOptions {
  /** Azure Load Testing engine instances: each runs the whole plan, so threads and rate are divided. */
  engines?: number;
}

export function csvFileName(t: TargetPlan): string {
  return `prompts-${t.slug}.csv`;
}

/** The secret name a target's key has on Azure Load Testing (Key Vault names: letters, digits, dashes). */
export function secretName(env: string): string {
  return env
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function jmeterExport(plan: ExportPlan, options: JmeterOptions = {}): ExportFile[] {
  const engines = Math.max(1, options.engines ?? 1);
  const sessions = plan.load.sessions !== null;
  // http targets: their templates as JMeter strings, and a data set only when a placeholder needs one.
  const requests = new Map(plan.targets.flatMap((t) => (t.http ? [[t.slug, jmeterHttpRequest(t, sessionVariables(t, sessions, engines))] as const] : [])));
  const files: ExportFile[] = [];
  for (const t of plan.targets) {
    const text = t.http ? requests.get(t.slug)!.csv : t.prompts.map(csvLine).join('\n') + '\n';
    if (text !== null) files.push({ name: csvFileName(t), text });
  }
  if (plan.load.sessions?.carry_history) {
    // The CLI prints the plan's warnings after the export (src/cli/export-command.ts).
    plan.warnings.push(
      "JMeter does not read the answers, so it cannot carry a session's history: each turn sends its own prompt (the Locust export carries it)",
    );
  }
  files.push({ name: JMX_FILE, text: jmx(plan, engines, requests) });
  const secrets = [...new Set(plan.targets.flatMap((t) => (t.key ? [secretName(t.key.env)] : [])))];
  files.push({
    name: JMETER_ALT,
    text: azureLoadTestingConfig(plan, {
      testType: 'JMX',
      testPlan: JMX_FILE,
      engineInstances: engines,
      configurationFiles: files.filter((f) => f.name.endsWith('.csv')).map((f) => f.name),
      secrets,
    }),
  });
  return files;
}

/** `head<TAB>tail`: JSON text never holds a raw tab or newline, so no quoting is needed. */
export function csvLine(p: PromptLine): string {
  if (!p.prefix_at) return `${JSON.stringify(p.body)}\t`;
  const body = structuredClone(p.body) as Record<string, unknown>;
  // The path leads through the request body's objects and arrays to the string that starts with the prefix.
  let node = body as Record<string | number, unknown>;
  for (const step of p.prefix_at.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = p.prefix_at[p.prefix_at.length - 1];
  node[last] = SPLIT + (node[last] as string).slice(PREFIX_DIGITS);
  const text = JSON.stringify(body);
  const marker = JSON.stringify(SPLIT).slice(1, -1); // as JSON.stringify wrote it
  const at = text.indexOf(marker);
  return `${text.slice(0, at)}\t${text.slice(at + marker.length)}`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const str = (name: string, value: string | number) => `<stringProp name="${name}">${esc(String(value))}</stringProp>`;
const bool = (name: string, value: boolean) => `<boolProp name="${name}">${value}</boolProp>`;
const int = (name: string, value: number) => `<intProp name="${name}">${value}</intProp>`;

function el(tag: string, guiclass: string, testclass: string, name: string, props: string[], extraAttrs = ''): string {
  return `<${tag} guiclass="${guiclass}" testclass="${testclass}" testname="${esc(name)}" enabled="true"${extraAttrs}>\n${props.map((p) => '  ' + p).join('\n')}\n</${tag}>`;
}

function hashTree(children: string[]): string {
  return children.length === 0 ? '<hashTree/>' : `<hashTree>\n${children.join('\n')}\n</hashTree>`;
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

function jmx(plan: ExportPlan, engines: number, requests: ReadonlyMap<string, JmeterHttpRequest>): string {
  const udv = keyVariables(plan);
  const testPlan = el('TestPlan', 'TestPlanGui', 'TestPlan', `perflab: ${plan.scenario}`, [
    str('TestPlan.comments', `Generated by perflab export jmeter from ${plan.source}. JMeter 5.x.`),
    bool('TestPlan.functional_mode', false),
    bool('TestPlan.tearDown_on_shutdown', true),
    bool('TestPlan.serialize_threadgroups', false),
    `<elementProp name="TestPlan.user_defined_variables" elementType="Arguments" guiclass="ArgumentsPanel" testclass="Arguments" testname="User Defined Variables" enabled="true">
    <collectionProp name="Arguments.arguments">
${udv.map((v) => indent(argument(v.name, v.value), '      ')).join('\n')}
    </collectionProp>
  </elementProp>`,
    str('TestPlan.user_define_classpath', ''),
  ]);
  const groups = plan.targets.flatMap((t) => {
    const request = requests.get(t.slug);
    return [threadGroup(plan, t, engines), hashTree(request ? httpGroupChildren(plan, t, engines, request) : groupChildren(plan, t, engines))];
  });
  const body = hashTree([testPlan, hashTree(groups)]);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- JMeter 5 test plan for the perflab scenario ${esc(plan.scenario)} (${esc(plan.source)}), generated by perflab export jmeter.
     jmeter -n -t ${JMX_FILE} -l results.jtl${plan.targets.some((t) => t.key) ? `   (keys from the environment: ${[...new Set(plan.targets.flatMap((t) => (t.key ? [t.key.env] : [])))].join(', ')})` : ''}
     JMeter measures the whole stream (elapsed = e2e) and the first byte (latency), not the first token.${httpComment(plan)} -->
<jmeterTestPlan version="1.2" properties="5.0" jmeter="5.6.3">
${body}
</jmeterTestPlan>
`;
}

interface Variable {
  name: string;
  value: string;
}

/** One variable per key environment variable: the environment, else the JMeter property, else the
 *  Azure Load Testing secret. */
function keyVariables(plan: ExportPlan): Variable[] {
  const seen = new Map<string, Variable>();
  for (const t of plan.targets) {
    if (!t.key || seen.has(t.key.env)) continue;
    seen.set(t.key.env, { name: keyVariable(t.key.env), value: keyExpression(t.key.env, secretName(t.key.env)) });
  }
  return [...seen.values()];
}

/** `System.getenv` in Groovy; JMeter resolves the nested functions first, so an unset variable falls
 *  back to the property and then to the secret's text (keys hold no quote or backslash). */
export function keyExpression(env: string, secret: string): string {
  return `\${__groovy(System.getenv('${env}') ?: '\${__P(${env},\${__GetSecret(${secret})})}')}`;
}

function keyVariable(env: string): string {
  return `key_${env.toLowerCase()}`;
}

function argument(name: string, value: string): string {
  return `<elementProp name="${esc(name)}" elementType="Argument">
  ${str('Argument.name', name)}
  ${str('Argument.value', value)}
  ${str('Argument.metadata', '=')}
</elementProp>`;
}

function threadGroup(plan: ExportPlan, t: TargetPlan, engines: number): string {
  const l = plan.load;
  const threads = Math.max(1, Math.ceil(l.users / engines));
  const scheduled = l.run_time_s !== null;
  // With sessions an iteration is a whole session.
  const loops = l.requests_per_user === null ? -1 : Math.ceil(l.requests_per_user / (l.sessions?.interactions ?? 1));
  return el('ThreadGroup', 'ThreadGroupGui', 'ThreadGroup', `${t.name}`, [
    str('ThreadGroup.on_sample_error', 'continue'),
    `<elementProp name="ThreadGroup.main_controller" elementType="LoopController" guiclass="LoopControlPanel" testclass="LoopController" testname="Loop Controller" enabled="true">
    ${bool('LoopController.continue_forever', false)}
    ${str('LoopController.loops', loops)}
  </elementProp>`,
    str('ThreadGroup.num_threads', threads),
    str('ThreadGroup.ramp_time', Math.round(l.ramp_up_s)),
    bool('ThreadGroup.scheduler', scheduled),
    str('ThreadGroup.duration', scheduled ? Math.ceil(l.run_time_s!) : ''),
    str('ThreadGroup.delay', ''),
    bool('ThreadGroup.same_user_on_next_iteration', true),
  ]);
}

function groupChildren(plan: ExportPlan, t: TargetPlan, engines: number): string[] {
  const l = plan.load;
  const children: string[] = [];
  children.push(csvDataSet(t, [`body_head_${t.slug}`, `body_tail_${t.slug}`], false), '<hashTree/>');
  children.push(headerManager(t, Object.entries(t.headers)), '<hashTree/>');
  const prefix = t.prompts.some((p) => p.prefix_at) ? `\${__RandomString(${PREFIX_DIGITS},0123456789,)}` : '';
  const bodyValue = `\${body_head_${t.slug}}${prefix}\${body_tail_${t.slug}}`;
  const sampler = httpSampler(t, `${t.name} ${t.api === 'responses' ? 'responses' : 'chat'} stream`, 'POST', t.url.pathname + t.url.search, bodyValue, l);
  const samplerChildren: string[] = [];
  const ending = t.api === 'responses' ? 'response.completed' : 'data: [DONE]';
  samplerChildren.push(
    el('ResponseAssertion', 'AssertionGui', 'ResponseAssertion', 'stream completed', [
      `<collectionProp name="Asserion.test_strings">
    ${str(String(hashCode(ending)), ending)}
  </collectionProp>`,
      str('Assertion.custom_message', `the stream did not end with ${ending}`),
      str('Assertion.test_field', 'Assertion.response_data'),
      bool('Assertion.assume_success', false),
      int('Assertion.test_type', 2), // 2 = contains (substring)
    ]),
    '<hashTree/>',
    ...pacingTimers(l, l.rate_rpm, `${l.rate_rpm} RPM`, engines),
  );
  children.push(sampler, hashTree(samplerChildren));
  return children;
}

/** An http target: its sampler with the request's templates; with sessions, each thread-group
 *  iteration is one session — a paced start, then a loop of `interactions` turns with a think time
 *  (Uniform Random Timer: think_time × (1 ± jitter)) before every turn but the first. JMeter checks
 *  the status only: it does not read the answer's events. */
function httpGroupChildren(plan: ExportPlan, t: TargetPlan, engines: number, request: JmeterHttpRequest): string[] {
  const l = plan.load;
  const s = l.sessions;
  const vars = sessionVariables(t, s !== null, engines);
  const data = request.columns.length > 0 ? [csvDataSet(t, request.columns, true), '<hashTree/>'] : [];
  const sampler = httpSampler(t, t.name, t.http!.method, request.path, request.body, l);
  const children = [headerManager(t, request.headers), '<hashTree/>'];
  if (s === null) {
    children.push(...data, sampler, hashTree(pacingTimers(l, l.rate_rpm, `${l.rate_rpm} RPM`, engines)));
    return children;
  }
  const think = Math.round(s.think_time_s * 1000);
  const jitter = Math.round(s.think_time_s * s.think_time_jitter * 1000);
  const turn = [
    ...data,
    counter('turn', vars.turn!, true, s.interactions),
    '<hashTree/>',
    el('IfController', 'IfControllerPanel', 'IfController', 'after the first turn', [
      str('IfController.condition', `\${__jexl3(\${${vars.turn}} > 1)}`),
      bool('IfController.evaluateAll', false),
      bool('IfController.useExpression', true),
    ]),
    hashTree([
      pause('think time'),
      hashTree([
        el('UniformRandomTimer', 'UniformRandomTimerGui', 'UniformRandomTimer', `think ${s.think_time_s} s ± ${Math.round(s.think_time_jitter * 100)} %`, [
          str('ConstantTimer.delay', think - jitter),
          str('RandomTimer.range', 2 * jitter),
        ]),
        '<hashTree/>',
      ]),
    ]),
    sampler,
    '<hashTree/>',
  ];
  children.push(
    counter('session', vars.session!, false, null),
    '<hashTree/>',
    // A sampler that sends nothing and records nothing: the session's start, paced at sessions/min.
    pause('session start'),
    hashTree(pacingTimers(l, s.rate_per_min, `${s.rate_per_min} sessions/min (${l.rate_rpm} RPM)`, engines)),
    el('LoopController', 'LoopControlPanel', 'LoopController', `session of ${s.interactions}`, [
      bool('LoopController.continue_forever', true),
      str('LoopController.loops', s.interactions),
    ]),
    hashTree(turn),
  );
  return children;
}

/** The open loop's rate (a ConstantThroughputTimer shared by the group's threads, divided over the
 *  engines), or the closed loop's think time. Per minute: requests, or sessions. */
function pacingTimers(l: LoadPlan, perMinute: number | null, name: string, engines: number): string[] {
  if (l.mode === 'open' && perMinute !== null) {
    // calcMode 4: all active threads in this thread group (shared) — the group's rate, per engine.
    return [
      el('ConstantThroughputTimer', 'TestBeanGUI', 'ConstantThroughputTimer', name, [
        int('calcMode', 4),
        `<doubleProp>
    <name>throughput</name>
    <value>${round3(perMinute / engines)}</value>
    <savedValue>0.0</savedValue>
  </doubleProp>`,
      ]),
      '<hashTree/>',
    ];
  }
  if (l.think_time_s > 0) {
    return [
      el('ConstantTimer', 'ConstantTimerGui', 'ConstantTimer', 'think time', [str('ConstantTimer.delay', Math.round(l.think_time_s * 1000))]),
      '<hashTree/>',
    ];
  }
  return [];
}

/** Tab-separated; quoted fields for http targets (text may hold tabs and line breaks). */
function csvDataSet(t: TargetPlan, variables: string[], quoted: boolean): string {
  return el('CSVDataSet', 'TestBeanGUI', 'CSVDataSet', `prompts: ${t.name}`, [
    str('filename', csvFileName(t)),
    str('fileEncoding', 'UTF-8'),
    str('variableNames', variables.join(',')),
    bool('ignoreFirstLine', false),
    str('delimiter', '\\t'),
    bool('quotedData', quoted),
    bool('recycle', true),
    bool('stopThread', false),
    str('shareMode', 'shareMode.all'),
  ]);
}

/** The request's headers and the key, read from its variable (never written). */
function headerManager(t: TargetPlan, given: [string, string][]): string {
  const headers = [...given];
  if (t.key) headers.push([t.key.header, `${t.key.scheme}\${${keyVariable(t.key.env)}}`]);
  return el('HeaderManager', 'HeaderPanel', 'HeaderManager', 'headers', [
    `<collectionProp name="HeaderManager.headers">
${headers
  .map(
    ([name, value]) => `    <elementProp name="" elementType="Header">
      ${str('Header.name', name)}
      ${str('Header.value', value)}
    </elementProp>`,
  )
  .join('\n')}
  </collectionProp>`,
  ]);
}

function httpSampler(t: TargetPlan, name: string, method: string, pathAndQuery: string, body: string | null, l: LoadPlan): string {
  const url = t.url;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const args =
    body === null
      ? `<elementProp name="HTTPsampler.Arguments" elementType="Arguments">
    <collectionProp name="Arguments.arguments"/>
  </elementProp>`
      : `<elementProp name="HTTPsampler.Arguments" elementType="Arguments">
    <collectionProp name="Arguments.arguments">
      <elementProp name="" elementType="HTTPArgument">
        ${bool('HTTPArgument.always_encode', false)}
        ${str('Argument.value', body)}
        ${str('Argument.metadata', '=')}
      </elementProp>
    </collectionProp>
  </elementProp>`;
  return el('HTTPSamplerProxy', 'HttpTestSampleGui', 'HTTPSamplerProxy', name, [
    bool('HTTPSampler.postBodyRaw', body !== null),
    args,
    str('HTTPSampler.domain', url.hostname),
    str('HTTPSampler.port', port),
    str('HTTPSampler.protocol', url.protocol.replace(':', '')),
    str('HTTPSampler.contentEncoding', 'UTF-8'),
    str('HTTPSampler.path', pathAndQuery),
    str('HTTPSampler.method', method),
    bool('HTTPSampler.follow_redirects', false),
    bool('HTTPSampler.auto_redirects', false),
    bool('HTTPSampler.use_keepalive', true),
    bool('HTTPSampler.DO_MULTIPART_POST', false),
    str('HTTPSampler.implementation', 'HttpClient4'),
    str('HTTPSampler.connect_timeout', 10000),
    str('HTTPSampler.response_timeout', Math.round(l.timeouts.request_s * 1000)),
  ]);
}

/** A CounterConfig: per thread (reset with each thread-group iteration, wrapping after `end`) or shared. */
function counter(name: string, variable: string, perUser: boolean, end: number | null): string {
  return el('CounterConfig', 'CounterConfigGui', 'CounterConfig', name, [
    str('CounterConfig.start', 1),
    str('CounterConfig.end', end ?? ''),
    str('CounterConfig.incr', 1),
    str('CounterConfig.name', variable),
    str('CounterConfig.format', ''),
    bool('CounterConfig.per_user', perUser),
    bool('CounterConfig.reset_on_tg_iteration', perUser),
  ]);
}

/** A Flow Control Action that pauses 0 ms: a place for timers that sends and records nothing. */
function pause(name: string): string {
  return el('TestAction', 'TestActionGui', 'TestAction', name, [
    int('ActionProcessor.action', 1), // 1 = pause
    int('ActionProcessor.target', 0), // 0 = the current thread
    str('ActionProcessor.duration', 0),
  ]);
}

/** The JMX comment on what JMeter cannot do for http targets and sessions. */
function httpComment(plan: ExportPlan): string {
  const lines: string[] = [];
  if (plan.targets.some((t) => t.http && t.http.response.stream !== 'json')) {
    lines.push(
      "An app's streamed answer (sse, ndjson, text): JMeter cannot measure its TTFT; its latency is the response headers, which an app may send before retrieval and the first token.",
    );
  }
  const s = plan.load.sessions;
  if (s?.carry_history) lines.push("Sessions: JMeter does not read the answers, so each turn sends its own prompt without the session's history.");
  return lines.map((l) => `\n     ${esc(l)}`).join('');
}

/** Java's String.hashCode, as JMeter names assertion strings. */
function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

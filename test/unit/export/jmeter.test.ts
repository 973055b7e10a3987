// `perflab export jmeter`: the JMX parsed by python3's xml.etree (no XML dependency here), checked
// element by element against the scenario. Debian only ships JMeter 2.13, too old to load a JMeter 5
// plan, so the plan is not run.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseTemplate, renderTemplate } from '../../../src/engine/http-target/template';
import { parseScenario } from '../../../src/engine/scenario/load';
import { jmeterExport } from '../../../src/export/jmeter';
import { buildExportPlan, type ExportFile } from '../../../src/export/plan';
import { PYTHON, tmpDir } from './helpers';

/** The JMX as a tree of {tag, attrs, text, children}, parsed by Python's standard library. */
interface XmlNode {
  tag: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlNode[];
}

const TO_JSON = `
import json, sys, xml.etree.ElementTree as ET
def conv(e):
    return {"tag": e.tag, "attrs": dict(e.attrib), "text": (e.text or "").strip(), "children": [conv(c) for c in e]}
print(json.dumps(conv(ET.parse(sys.argv[1]).getroot())))
`;

function parseXml(file: string): XmlNode {
  return JSON.parse(execFileSync(PYTHON, ['-c', TO_JSON, file], { encoding: 'utf8' }));
}

function all(node: XmlNode, tag: string): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (n: XmlNode) => {
    if (n.tag === tag) out.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  return out;
}

function one(node: XmlNode, tag: string): XmlNode {
  const found = all(node, tag);
  assert.equal(found.length, 1, `exactly one <${tag}>`);
  return found[0];
}

/** The text of a <stringProp|boolProp|intProp name="…"> directly or deeply inside `node`. */
function prop(node: XmlNode, name: string): string {
  const hits: XmlNode[] = [];
  const walk = (n: XmlNode) => {
    if (/Prop$/.test(n.tag) && n.attrs.name === name) hits.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  assert.ok(hits.length > 0, `property ${name}`);
  return hits[0].text;
}

/** The element that a JMX hashTree attaches children to: the next sibling <hashTree>. */
function childrenOf(parentTree: XmlNode, element: XmlNode): XmlNode[] {
  const i = parentTree.children.indexOf(element);
  const tree = parentTree.children[i + 1];
  assert.equal(tree?.tag, 'hashTree', `<${element.tag}> is followed by its hashTree`);
  return tree.children;
}

const SCENARIO = (extra = '') => `
name: jmx-test
targets:
  - name: prod-eastus
    provider: azure
    endpoint: https://contoso-east.openai.azure.com/
    deployment: gpt-4o
    model: gpt-4o
    auth: { type: api-key, env: CONTOSO_KEY }
  - name: openai
    provider: openai
    endpoint: https://api.openai.com/v1
    model: gpt-4o-mini
    api: responses
workload:
  rate: 300
  clients: 24
  duration: 2m
  ramp_up: 20s
prompts:
  shape: custom
  context_tokens: 700
  max_tokens: 150
${extra}`;

function exportJmx(text: string, engines = 1, setup: (dir: string) => void = () => {}): { dir: string; files: ExportFile[]; warnings: string[] } {
  const dir = tmpDir('perflab-jmx-');
  setup(dir);
  const scenario = parseScenario(text, path.join(dir, 'jmx.perf.yaml'));
  const plan = buildExportPlan(scenario);
  const files = jmeterExport(plan, { engines });
  for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.text);
  return { dir, files, warnings: plan.warnings };
}

/** A JMeter string as JMeter evaluates it: unchanged without a `${`, else `\\` and `\$` unescaped and
 *  each `${name}` replaced (JMeter's FunctionParser.compileString; only plain variables are used here). */
function jmeterValue(s: string, vars: Record<string, string>): string {
  if (!s.includes('${')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const next = s[++i] ?? '';
      out += next === '$' || next === ',' || next === '\\' ? next : `\\${next}`;
    } else if (c === '$' && s[i + 1] === '{') {
      const close = s.indexOf('}', i);
      const name = s.slice(i + 2, close);
      assert.ok(name in vars, `\${${name}} is defined`);
      out += vars[name];
      i = close;
    } else out += c;
  }
  return out;
}

/** JMeter's CSV Data Set with quoted data: tab-separated, every field in quotes, quotes doubled. */
function quotedTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    assert.equal(text[i], '"', `a quoted field at ${i}`);
    let field = '';
    i++;
    for (;;) {
      if (text[i] === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (text[i] === '"') {
        i++;
        break;
      } else field += text[i++];
    }
    row.push(field);
    if (text[i] === '\t') i++;
    else {
      assert.equal(text[i], '\n');
      i++;
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

describe('perflab export jmeter', () => {
  it("writes a JMeter 5 plan whose thread groups, timers, samplers and data sets carry the scenario's values", () => {
    const { dir, files } = exportJmx(SCENARIO());
    assert.deepEqual(files.map((f) => f.name).sort(), ['alt-jmeter.yaml', 'plan.jmx', 'prompts-openai.csv', 'prompts-prod_eastus.csv']);
    const root = parseXml(path.join(dir, 'plan.jmx'));
    assert.equal(root.tag, 'jmeterTestPlan');
    assert.equal(root.attrs.version, '1.2');
    assert.match(root.attrs.jmeter, /^5\./);
    const top = root.children[0];
    assert.equal(top.tag, 'hashTree');
    const testPlan = one(root, 'TestPlan');
    assert.equal(testPlan.attrs.testclass, 'TestPlan');
    const groups = all(root, 'ThreadGroup');
    assert.deepEqual(
      groups.map((g) => g.attrs.testname),
      ['prod-eastus', 'openai'],
    );
    const planTree = childrenOf(top, testPlan);
    const expected = [
      {
        domain: 'contoso-east.openai.azure.com',
        path: '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
        ending: 'data: [DONE]',
        key: ['api-key', '${key_contoso_key}'],
      },
      { domain: 'api.openai.com', path: '/v1/responses', ending: 'response.completed', key: ['authorization', 'Bearer ${key_openai_api_key}'] },
    ];
    groups.forEach((g, i) => {
      assert.equal(prop(g, 'ThreadGroup.num_threads'), '24');
      assert.equal(prop(g, 'ThreadGroup.ramp_time'), '20');
      assert.equal(prop(g, 'ThreadGroup.scheduler'), 'true');
      assert.equal(prop(g, 'ThreadGroup.duration'), '120');
      assert.equal(prop(g, 'LoopController.loops'), '-1');
      const inGroup = childrenOf(planTree.length ? { tag: 'hashTree', attrs: {}, text: '', children: planTree } : top, g);
      const csv = inGroup.find((n) => n.tag === 'CSVDataSet')!;
      const slug = i === 0 ? 'prod_eastus' : 'openai';
      assert.equal(prop(csv, 'filename'), `prompts-${slug}.csv`);
      assert.equal(prop(csv, 'delimiter'), '\\t');
      assert.equal(prop(csv, 'variableNames'), `body_head_${slug},body_tail_${slug}`);
      const headers = inGroup.find((n) => n.tag === 'HeaderManager')!;
      const pairs = all(headers, 'elementProp').map((h) => [prop(h, 'Header.name'), prop(h, 'Header.value')]);
      assert.deepEqual(pairs, [['content-type', 'application/json'], ['accept', 'text/event-stream'], expected[i].key]);
      const sampler = inGroup.find((n) => n.tag === 'HTTPSamplerProxy')!;
      assert.equal(prop(sampler, 'HTTPSampler.method'), 'POST');
      assert.equal(prop(sampler, 'HTTPSampler.protocol'), 'https');
      assert.equal(prop(sampler, 'HTTPSampler.port'), '443');
      assert.equal(prop(sampler, 'HTTPSampler.domain'), expected[i].domain);
      assert.equal(prop(sampler, 'HTTPSampler.path'), expected[i].path);
      assert.equal(prop(sampler, 'HTTPSampler.postBodyRaw'), 'true');
      assert.equal(prop(sampler, 'Argument.value'), `\${body_head_${slug}}\${__RandomString(12,0123456789,)}\${body_tail_${slug}}`);
      const underSampler = childrenOf({ tag: 'hashTree', attrs: {}, text: '', children: inGroup }, sampler);
      const timer = underSampler.find((n) => n.tag === 'ConstantThroughputTimer')!;
      assert.ok(timer, 'a ConstantThroughputTimer for the rate');
      assert.equal(prop(timer, 'calcMode'), '4', "shared by the thread group's threads");
      assert.equal(all(timer, 'value')[0].text, '300', "samples per minute = the scenario's RPM");
      const assertion = underSampler.find((n) => n.tag === 'ResponseAssertion')!;
      assert.equal(
        all(assertion, 'stringProp').find((p) => p.attrs.name !== 'Assertion.custom_message' && p.attrs.name !== 'Assertion.test_field')!.text,
        expected[i].ending,
      );
    });
    // The key is read from the environment, else a property, else the Azure Load Testing secret; never written.
    const udv = all(testPlan, 'elementProp').filter((e) => e.attrs.elementType === 'Argument');
    assert.deepEqual(
      udv.map((v) => [prop(v, 'Argument.name'), prop(v, 'Argument.value')]),
      [
        ['key_contoso_key', "${__groovy(System.getenv('CONTOSO_KEY') ?: '${__P(CONTOSO_KEY,${__GetSecret(contoso-key)})}')}"],
        ['key_openai_api_key', "${__groovy(System.getenv('OPENAI_API_KEY') ?: '${__P(OPENAI_API_KEY,${__GetSecret(openai-api-key)})}')}"],
      ],
    );

    // The data set: head + 12 digits + tail is the engine's body, with the exact prompt tokens.
    for (const slug of ['prod_eastus', 'openai']) {
      const lines = fs
        .readFileSync(path.join(dir, `prompts-${slug}.csv`), 'utf8')
        .trim()
        .split('\n');
      assert.equal(lines.length, 1);
      const [head, tail, ...rest] = lines[0].split('\t');
      assert.equal(rest.length, 0);
      const body = JSON.parse(`${head}123456789012${tail}`);
      assert.equal(body.stream, true);
      if (slug === 'openai') {
        assert.equal(body.model, 'gpt-4o-mini');
        assert.equal(body.max_output_tokens, 150);
        assert.ok(body.instructions.startsWith('123456789012\n'));
      } else {
        assert.equal(body.max_tokens, 150);
        assert.deepEqual(body.stream_options, { include_usage: true });
        assert.ok(body.messages[0].content.startsWith('123456789012\n'));
      }
    }

    const alt = parseYaml(fs.readFileSync(path.join(dir, 'alt-jmeter.yaml'), 'utf8'));
    assert.equal(alt.version, 'v0.1');
    assert.equal(alt.testType, 'JMX');
    assert.equal(alt.testPlan, 'plan.jmx');
    assert.equal(alt.engineInstances, 1);
    assert.match(alt.testId, /^[a-z0-9_-]{2,50}$/);
    assert.deepEqual(alt.configurationFiles, ['prompts-prod_eastus.csv', 'prompts-openai.csv']);
    assert.deepEqual(
      alt.secrets.map((s: { name: string }) => s.name),
      ['contoso-key', 'openai-api-key'],
    );
  });

  it('divides threads and rate over Azure Load Testing engines; closed loop gets a think-time timer and no rate', () => {
    const open = exportJmx(SCENARIO(), 4);
    const root = parseXml(path.join(open.dir, 'plan.jmx'));
    assert.equal(prop(all(root, 'ThreadGroup')[0], 'ThreadGroup.num_threads'), '6');
    assert.equal(all(all(root, 'ConstantThroughputTimer')[0], 'value')[0].text, '75');
    assert.equal(parseYaml(fs.readFileSync(path.join(open.dir, 'alt-jmeter.yaml'), 'utf8')).engineInstances, 4);

    const closed = exportJmx(
      SCENARIO().replace(/workload:[\s\S]*?prompts:/, 'workload:\n  mode: closed\n  clients: 5\n  think_time: 1500ms\n  requests: 50\nprompts:') +
        'prevent_server_caching: false\n',
    );
    const c = parseXml(path.join(closed.dir, 'plan.jmx'));
    assert.equal(all(c, 'ConstantThroughputTimer').length, 0);
    const timers = all(c, 'ConstantTimer');
    assert.equal(timers.length, 2);
    assert.equal(prop(timers[0], 'ConstantTimer.delay'), '1500');
    const g = all(c, 'ThreadGroup')[0];
    assert.equal(prop(g, 'ThreadGroup.num_threads'), '5');
    assert.equal(prop(g, 'ThreadGroup.scheduler'), 'false');
    assert.equal(prop(g, 'LoopController.loops'), '10', '50 requests over 5 threads');
    const sampler = all(c, 'HTTPSamplerProxy')[0];
    assert.equal(prop(sampler, 'Argument.value'), '${body_head_prod_eastus}${body_tail_prod_eastus}', 'no random prefix');
  });

  it("http targets with sessions: sampler, loop of turns, think-time timer, counters; the body JMeter sends is the engine's; no key written", () => {
    const SECRET = 'app-secret-4f1c9e';
    const before = process.env.APP_KEY;
    process.env.APP_KEY = SECRET; // present while exporting: it must still not be written anywhere
    const dataset = [
      {
        messages: [
          { role: 'system', content: 'You are support.' },
          { role: 'user', content: 'Where is my "order"?\nIt\'s late, 50$ ${x} \\ ok' },
        ],
        topic: 'orders',
        priority: 2,
      },
      { messages: [{ role: 'user', content: 'Reset password\tplease — ü' }], topic: 'account', priority: null },
    ];
    let exported;
    try {
      exported = exportJmx(
        `name: app-jmx
targets:
  - name: app
    provider: http
    endpoint: https://app.example.com/base?code=abc
    model: gpt-4o-mini
    auth: { type: api-key, header: x-api-key, env: APP_KEY }
    request:
      url: /chat/{{topic}}?stream=sse&q={{prompt}}
      headers: { x-session: "{{session_id}}", x-turn: "t{{turn}}" }
      body: |
        {"messages": {{messages}}, "question": "{{prompt}}", "session_id": "{{session_id}}", "turn": {{turn}}, "priority": {{priority}}, "model": "{{model}}", "note": "a \\\\ b $x, \\"{{topic}}\\""}
    response: { stream: sse, text_path: delta.text, done_when: done == true, usage_path: usage }
workload:
  rate: 60
  clients: 4
  duration: 1m
  sessions: { interactions: 3, think_time: 5s, think_time_jitter: 0.5, carry_history: true }
prompts: { dataset: qs.jsonl }
`,
        1,
        (dir) => fs.writeFileSync(path.join(dir, 'qs.jsonl'), dataset.map((d) => JSON.stringify(d)).join('\n') + '\n'),
      );
    } finally {
      if (before === undefined) delete process.env.APP_KEY;
      else process.env.APP_KEY = before;
    }
    const { dir, files, warnings } = exported;
    assert.deepEqual(files.map((f) => f.name).sort(), ['alt-jmeter.yaml', 'plan.jmx', 'prompts-app.csv']);
    for (const f of files) assert.ok(!f.text.includes(SECRET), `${f.name} holds no key`);
    assert.match(warnings.join(), /cannot carry a session's history/);
    const jmxText = fs.readFileSync(path.join(dir, 'plan.jmx'), 'utf8');
    assert.match(jmxText, /JMeter cannot measure its TTFT/);

    const root = parseXml(path.join(dir, 'plan.jmx'));
    const top = root.children[0];
    const planTree = { tag: 'hashTree', attrs: {}, text: '', children: childrenOf(top, one(root, 'TestPlan')) };
    const group = one(root, 'ThreadGroup');
    const inGroup = { tag: 'hashTree', attrs: {}, text: '', children: childrenOf(planTree, group) };
    assert.deepEqual(
      inGroup.children.filter((n) => n.tag !== 'hashTree').map((n) => n.tag),
      ['HeaderManager', 'CounterConfig', 'TestAction', 'LoopController'],
      'per thread-group iteration: a session',
    );
    // The session's start is paced at sessions per minute: 60 RPM / 3 interactions.
    const start = inGroup.children.find((n) => n.tag === 'TestAction')!;
    const startTimers = childrenOf(inGroup, start);
    assert.equal(startTimers[0].tag, 'ConstantThroughputTimer');
    assert.equal(all(startTimers[0], 'value')[0].text, '20');
    assert.equal(prop(start, 'ActionProcessor.duration'), '0');
    const sessionCounter = inGroup.children.find((n) => n.tag === 'CounterConfig')!;
    assert.equal(prop(sessionCounter, 'CounterConfig.name'), 'session_app');
    assert.equal(prop(sessionCounter, 'CounterConfig.per_user'), 'false');
    // The loop of turns: a row of the data set and a turn number each, a think time before all but the first.
    const loop = inGroup.children.find((n) => n.tag === 'LoopController')!;
    assert.equal(prop(loop, 'LoopController.loops'), '3');
    const inLoop = { tag: 'hashTree', attrs: {}, text: '', children: childrenOf(inGroup, loop) };
    assert.deepEqual(
      inLoop.children.filter((n) => n.tag !== 'hashTree').map((n) => n.tag),
      ['CSVDataSet', 'CounterConfig', 'IfController', 'HTTPSamplerProxy'],
    );
    const turnCounter = inLoop.children.find((n) => n.tag === 'CounterConfig')!;
    assert.deepEqual(
      ['name', 'start', 'end', 'per_user', 'reset_on_tg_iteration'].map((k) => prop(turnCounter, `CounterConfig.${k}`)),
      ['turn_app', '1', '3', 'true', 'true'],
    );
    const ifc = inLoop.children.find((n) => n.tag === 'IfController')!;
    assert.equal(prop(ifc, 'IfController.condition'), '${__jexl3(${turn_app} > 1)}');
    const inIf = { ...inLoop, children: childrenOf(inLoop, ifc) };
    assert.equal(inIf.children[0].tag, 'TestAction', 'a pause that sends nothing carries the think time');
    const timer = one({ ...inIf, children: childrenOf(inIf, inIf.children[0]) }, 'UniformRandomTimer');
    assert.deepEqual([prop(timer, 'ConstantTimer.delay'), prop(timer, 'RandomTimer.range')], ['2500', '5000'], '5 s × (1 ± 0.5)');
    const sampler = inLoop.children.find((n) => n.tag === 'HTTPSamplerProxy')!;
    assert.equal(sampler.attrs.testname, 'app', 'the label perflab import jmeter maps to the target');
    assert.deepEqual(
      ['method', 'protocol', 'domain', 'port'].map((k) => prop(sampler, `HTTPSampler.${k}`)),
      ['POST', 'https', 'app.example.com', '443'],
    );
    assert.equal(all(root, 'ResponseAssertion').length, 0, "JMeter does not read the app's events");
    const csv = inLoop.children.find((n) => n.tag === 'CSVDataSet')!;
    assert.equal(prop(csv, 'quotedData'), 'true');

    // What JMeter sends for each row, session 7, turn 2 is what the engine renders for the same prompt.
    const columns = prop(csv, 'variableNames').split(',');
    const rows = quotedTsv(fs.readFileSync(path.join(dir, 'prompts-app.csv'), 'utf8'));
    assert.equal(rows.length, dataset.length);
    const headers = all(one(inGroup, 'HeaderManager'), 'elementProp').map((h) => [prop(h, 'Header.name'), prop(h, 'Header.value')]);
    assert.deepEqual(headers.at(-1), ['x-api-key', '${key_app_key}'], 'the key from its variable');
    const body = prop(sampler, 'Argument.value');
    const urlPath = prop(sampler, 'HTTPSampler.path');
    rows.forEach((row, i) => {
      const vars = { ...Object.fromEntries(columns.map((c, k) => [c, row[k]])), session_app: '7', turn_app: '2', key_app_key: '(key)' };
      const { messages, ...fields } = dataset[i];
      const values = { ...fields, prompt: messages.at(-1)!.content, messages, session_id: 'app-s7', turn: 2, model: 'gpt-4o-mini' };
      const render = (source: string, kind: 'json' | 'text' | 'url') => renderTemplate(parseTemplate(source, kind), values);
      const engineBody = render(
        '{"messages": {{messages}}, "question": "{{prompt}}", "session_id": "{{session_id}}", "turn": {{turn}}, "priority": {{priority}}, "model": "{{model}}", "note": "a \\\\ b $x, \\"{{topic}}\\""}\n',
        'json',
      );
      // (parseXml trims element text: the block scalar's final line break is in the file, not in `body`.)
      assert.equal(jmeterValue(body, vars), engineBody.trimEnd(), `row ${i}: body`);
      assert.equal(JSON.parse(jmeterValue(body, vars)).question, messages.at(-1)!.content);
      assert.equal(jmeterValue(urlPath, vars), render('/base/chat/{{topic}}?code=abc&stream=sse&q={{prompt}}', 'url'), `row ${i}: path`);
      assert.deepEqual(
        headers.slice(2, 4).map(([n, v]) => [n, jmeterValue(v, vars)]),
        [
          ['x-session', 'app-s7'],
          ['x-turn', 't2'],
        ],
      );
    });
  });

  it('http targets without sessions: the rate on the sampler, session_id empty and turn 1 as the engine fills them, no data set when no prompt is used', () => {
    const { dir, files } = exportJmx(`name: app-plain
targets:
  - name: app
    provider: http
    endpoint: http://127.0.0.1:8080
    model: gpt-4o-mini
    request:
      method: PUT
      url: /answer
      body: '{"s": "{{session_id}}", "t": {{turn}}}'
    response: { stream: json, text_path: answer }
workload: { rate: 90, clients: 3, duration: 30s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 10 }
`);
    assert.deepEqual(files.map((f) => f.name).sort(), ['alt-jmeter.yaml', 'plan.jmx'], 'no data set');
    assert.equal(parseYaml(files.find((f) => f.name === 'alt-jmeter.yaml')!.text).configurationFiles, undefined);
    const root = parseXml(path.join(dir, 'plan.jmx'));
    for (const tag of ['LoopController', 'CounterConfig', 'IfController', 'UniformRandomTimer', 'CSVDataSet']) assert.equal(all(root, tag).length, 0, tag);
    const sampler = one(root, 'HTTPSamplerProxy');
    assert.equal(prop(sampler, 'HTTPSampler.method'), 'PUT');
    assert.equal(prop(sampler, 'HTTPSampler.port'), '8080');
    assert.equal(prop(sampler, 'Argument.value'), '{"s": "", "t": 1}');
    assert.equal(all(one(root, 'ConstantThroughputTimer'), 'value')[0].text, '90');
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'plan.jmx'), 'utf8'), /cannot measure its TTFT/, 'a json answer has no TTFT to miss');
  });
});

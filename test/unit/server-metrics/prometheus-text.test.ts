// The Prometheus text parser on /metrics pages of vLLM, TGI and llama.cpp (fixtures/, each naming its
// source), on OpenMetrics details, and on bodies that are not the format at all.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { histogramSeries, parsePrometheusText, PrometheusParseError, type PromFamily } from '../../../src/engine/server-metrics/prometheus-text';
import { knownSeries } from '../../../src/engine/server-metrics/known-series';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const byName = (families: PromFamily[]) => new Map(families.map((f) => [f.name, f]));

describe('Prometheus text format', () => {
  it('reads a vLLM page: colon names, labels per engine, counters, and a histogram per label set', () => {
    const f = byName(parsePrometheusText(fixture('vllm.txt')));
    const model = 'meta-llama/Llama-3.1-8B-Instruct';
    assert.equal(f.get('vllm:num_requests_running')!.type, 'gauge');
    assert.deepEqual(
      f.get('vllm:num_requests_running')!.samples.map((s) => [s.labels.engine, s.labels.model_name, s.value]),
      [
        ['0', model, 8],
        ['1', model, 6],
      ],
    );
    const success = f.get('vllm:request_success_total')!;
    assert.equal(success.type, 'counter');
    assert.equal(success.samples.length, 6);
    assert.equal(
      success.samples.reduce((a, s) => a + s.value, 0),
      141,
    );
    assert.equal(f.get('vllm:prompt_tokens_created')!.samples[0].value, 1.7331748e9, 'exponent notation');
    assert.equal(f.get('vllm:time_to_first_token_seconds')!.type, 'histogram');
    assert.equal(f.get('vllm:time_to_first_token_seconds_bucket'), undefined, 'bucket samples belong to their family');

    const ttft = histogramSeries(f.get('vllm:time_to_first_token_seconds')!);
    assert.equal(ttft.length, 2, 'one series per engine, buckets not mixed across label sets');
    const [e0, e1] = ttft;
    assert.deepEqual(e0.labels, { engine: '0', model_name: model }, 'labels without le');
    assert.deepEqual(
      e0.buckets.map((b) => [b.le, b.count]),
      [
        ['0.001', 0],
        ['0.005', 0],
        ['0.01', 0],
        ['0.02', 13],
        ['0.04', 97],
        ['0.06', 123],
        ['0.08', 138],
        ['0.1', 140],
        ['+Inf', 140],
      ],
    );
    assert.equal(e0.buckets.at(-1)!.bound, Infinity);
    assert.equal(e0.count, 140);
    assert.equal(e0.sum, 5.6);
    assert.equal(e1.count, 10);
    assert.equal(e1.sum, 1.25);
    assert.equal(e1.buckets.find((b) => b.le === '0.08')!.count, 9);

    const info = f.get('vllm:cache_config_info')!.samples[0];
    assert.equal(info.labels.note, 'say "hi"\nback\\slash', 'escaped quote, newline and backslash');
    assert.equal(info.labels.block_size, '16');
    assert.ok(knownSeries('vllm:num_requests_waiting')?.role === 'waiting');
  });

  it('reads a TGI page: plain names, counters without _total, histograms with and without labels', () => {
    const f = byName(parsePrometheusText(fixture('tgi.txt')));
    assert.equal(f.get('tgi_queue_size')!.samples[0].value, 7);
    assert.equal(f.get('tgi_batch_current_size')!.samples[0].value, 32);
    assert.equal(f.get('tgi_request_count')!.type, 'counter');
    assert.equal(f.get('tgi_request_count')!.samples[0].value, 1200);
    const duration = histogramSeries(f.get('tgi_request_duration')!);
    assert.equal(duration.length, 1);
    assert.deepEqual(duration[0].labels, {});
    assert.equal(duration[0].count, 1180);
    assert.equal(duration[0].buckets[1].bound, 0.8651845779418945);
    const batch = histogramSeries(f.get('tgi_batch_inference_duration')!);
    assert.deepEqual(
      batch.map((h) => [h.labels.method, h.count, h.sum]),
      [
        ['prefill', 310, 8.9],
        ['decode', 53100, 1020.4],
      ],
    );
    assert.equal(knownSeries('tgi_queue_size')?.role, 'waiting');
    assert.equal(knownSeries('tgi_batch_current_size')?.role, 'running');
  });

  it('reads a llama.cpp page: every metric unlabelled under its own HELP and TYPE', () => {
    const families = parsePrometheusText(fixture('llamacpp.txt'));
    const f = byName(families);
    assert.equal(families.length, 10);
    assert.equal(f.get('llamacpp:requests_processing')!.samples[0].value, 4);
    assert.equal(f.get('llamacpp:requests_deferred')!.samples[0].value, 46);
    assert.equal(f.get('llamacpp:predicted_tokens_seconds')!.samples[0].value, 31.6309);
    assert.equal(f.get('llamacpp:prompt_tokens_total')!.help, 'Number of prompt tokens processed.');
    assert.deepEqual(f.get('llamacpp:tokens_predicted_total')!.samples[0].labels, {});
    assert.equal(knownSeries('llamacpp:requests_deferred')?.role, 'waiting');
  });

  it('handles OpenMetrics families, special values, timestamps, exemplars and untyped samples', () => {
    const text = [
      '# TYPE requests counter',
      '# HELP requests Requests.\\nSecond line.',
      'requests_total{path="/a"} 3 1700000000000',
      'requests_created{path="/a"} 1.7e9',
      '# TYPE lat histogram',
      'lat_bucket{le="0.5"} 1 # {trace_id="abc"} 0.2 1700000000.1',
      'lat_bucket{le="+Inf"} 2',
      'lat_count 2',
      'lat_sum 1.4',
      'odd{a="1",} NaN',
      'odd{a="2"} +Inf',
      'odd{a="3"} -Inf',
      'bare 1e-3',
      '# EOF',
    ].join('\r\n');
    const f = byName(parsePrometheusText(text));
    const requests = f.get('requests')!;
    assert.equal(requests.help, 'Requests.\nSecond line.');
    assert.deepEqual(
      requests.samples.map((s) => s.name),
      ['requests_total', 'requests_created'],
    );
    assert.equal(requests.samples[0].timestampMs, 1_700_000_000_000);
    const lat = histogramSeries(f.get('lat')!)[0];
    assert.deepEqual(
      lat.buckets.map((b) => b.count),
      [1, 2],
      'the exemplar is not the value',
    );
    assert.equal(lat.sum, 1.4);
    const odd = f.get('odd')!.samples.map((s) => s.value);
    assert.ok(Number.isNaN(odd[0]));
    assert.deepEqual(odd.slice(1), [Infinity, -Infinity]);
    assert.equal(f.get('odd')!.type, 'untyped');
    assert.equal(f.get('bare')!.samples[0].value, 0.001);
  });

  it('refuses what is not the text format, saying which line', () => {
    const html = '<!DOCTYPE html>\n<html><body>Not found</body></html>\n';
    assert.throws(
      () => parsePrometheusText(html),
      (e: unknown) => e instanceof PrometheusParseError && e.line === 1 && /metric name must come first/.test(e.message),
    );
    assert.throws(() => parsePrometheusText('{"object":"list","data":[]}'), PrometheusParseError);
    assert.throws(
      () => parsePrometheusText('ok 1\nbroken{a="x} 2\n'),
      (e: unknown) => e instanceof PrometheusParseError && e.line === 2 && /unterminated/.test(e.message),
    );
    assert.throws(() => parsePrometheusText('x{a="1"}2\n'), /space before the value/);
    assert.throws(() => parsePrometheusText('x 1 2 3\n'), /at most a timestamp/);
    assert.throws(() => parsePrometheusText('x one\n'), /invalid value/);
    assert.throws(() => parsePrometheusText('# TYPE x colour\nx 1\n'), /unknown metric type/);
    assert.deepEqual(parsePrometheusText('\n# just a comment\n'), []);
  });
});

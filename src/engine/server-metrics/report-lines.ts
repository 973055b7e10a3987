// The server's lines in the text summary (CLI, "Open Summary as Text"): its queue and batch, its own
// TTFT beside the client's and the time outside it, and where the Azure Monitor fetch stands.

import type { TargetSummary } from '../summary';
import type { ServerLatency, ServerSummary } from './types';

export function serverLines(t: TargetSummary): string[] {
  const s = t.server;
  if (!s) return [];
  const lines: string[] = [];
  const p = s.prometheus;
  if (p) {
    const load = [
      s.running && `running max ${num(s.running.max)} (avg ${num(s.running.avg)})`,
      s.waiting && `waiting max ${num(s.waiting.max)} (avg ${num(s.waiting.avg)})`,
      s.kv_cache && `KV cache max ${(s.kv_cache.max * 100).toFixed(1)}%`,
    ].filter(Boolean);
    const scraped = `${p.scrapes} scrape${p.scrapes === 1 ? '' : 's'}${p.failed ? `, ${p.failed} failed` : ''}`;
    lines.push(`  server${p.server ? ` (${p.server})` : ''}: ${p.url}, ${scraped}${load.length ? `; ${load.join(', ')}` : ''}`);
    const l = s.latency_ms;
    if (l?.ttft) lines.push(latencyLine('TTFT', l.ttft, s.outside_server_ms?.ttft_p50 ?? null));
    if (l?.e2e) lines.push(latencyLine('E2E', l.e2e, s.outside_server_ms?.e2e_p50 ?? null));
    if (l?.itl) lines.push(latencyLine('inter-token', l.itl, null, 'client TBT'));
  }
  const a = s.azure_monitor;
  if (a) lines.push(`  Azure Monitor${a.resource_id ? ` (${shortId(a.resource_id)})` : ''}: ${azureState(a)}`);
  return lines;
}

function latencyLine(what: string, l: ServerLatency, outside: number | null, clientName = 'client'): string {
  const server = `server ${what} p50 ${num(l.p50)} / p95 ${num(l.p95)} ms`;
  const client = l.client_p50 !== null ? ` (${clientName} ${num(l.client_p50)} / ${num(l.client_p95)})` : '';
  const width = l.p50_resolution_ms;
  let gap = '';
  // A server percentile is interpolated within a bucket: a difference smaller than the bucket says nothing.
  if (outside !== null && width !== null && Math.abs(outside) < width)
    gap = `; client − server at p50 = ${num(outside)} ms, within the server's bucket width there (${num(width)} ms)`;
  else if (outside !== null) gap = `; ${num(outside)} ms outside the server at p50${width !== null ? ` (server buckets ${num(width)} ms wide there)` : ''}`;
  return `  ${server}${client}${gap}`;
}

function azureState(a: NonNullable<ServerSummary['azure_monitor']>): string {
  if (a.status === 'pending') return a.message ?? 'not fetched yet';
  const shown = a.series.filter((x) => x.aggregation === 'total' || x.aggregation === 'maximum').slice(0, 6);
  const values = shown.map(
    (x) =>
      `${x.label ?? x.name} ${x.aggregation === 'total' ? num(x.increase ?? null) : `max ${num(x.max)}`}${x.unit && x.unit !== 'Count' ? ` ${x.unit}` : ''}`,
  );
  return [a.status, ...values, ...(a.message ? [a.message] : [])].join('; ');
}

/** `/subscriptions/…/accounts/contoso` → `accounts/contoso`. */
function shortId(id: string): string {
  return id.split('/').slice(-2).join('/');
}

function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return 'n/a';
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2).replace(/\.?0+$/, '') || '0';
}

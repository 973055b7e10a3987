// The server's side of one run: a Prometheus scraper per target that asks for one, started and stopped
// with its target (run.ts), its samples appended to server-metrics.jsonl as they come, and the
// `server` block of each target's summary. Azure Monitor lags a few minutes, so for `azure_monitor`
// the run only records its window and leaves the fetch for later (azure-fetch.ts).
// Nothing here can fail a run: a scrape that fails is a warning in the target's summary.

import { epochMs } from '../clock';
import type { ProxyConfig } from '../proxy';
import { credentialProblem } from '../secrets';
import type { Scenario, Target } from '../scenario/types';
import type { TargetSummary } from '../summary';
import { Transport } from '../transport';
import { PrometheusScraper } from './prometheus-scraper';
import { ServerSamplesFile } from './samples-file';
import { addScrapeSummary, scrapeWarnings } from './server-summary';
import { SERVER_METRICS_FILE, type ServerSample, type ServerSummary } from './types';

export interface ServerMetricsOptions {
  /** The run folder (server-metrics.jsonl goes there); null writes nothing. */
  outDir: string | null;
  proxy?: ProxyConfig;
  /** The token for a target's metrics URL, from the variable `server_metrics.auth.env` names. A face
   *  that does not give this sends no token (and the summary says so): the editor asks before it
   *  lets a scenario read a variable. */
  resolveToken?: (target: Target, env: string) => Promise<string | null>;
  /** Each sample as it is scraped, after it is written. */
  onSample?: (sample: ServerSample) => void;
}

interface TargetState {
  target: Target;
  scraper: PrometheusScraper | null;
  /** Epoch ms when the target started and ended (its window for Azure Monitor). */
  startedAt: number | null;
  endedAt: number | null;
  /** The last scrape under way (stop() called twice waits for the same one). */
  stopping: Promise<void> | null;
  warnings: string[];
}

export class ServerMetricsSession {
  private readonly states = new Map<string, TargetState>();
  private file: ServerSamplesFile | null = null;
  private transport: Transport | null = null;

  private constructor(private readonly o: ServerMetricsOptions) {}

  /** A session when some target has `server_metrics:`, else null. */
  static create(scenario: Scenario, o: ServerMetricsOptions): ServerMetricsSession | null {
    return scenario.targets.some((t) => t.server_metrics) ? new ServerMetricsSession(o) : null;
  }

  /** Prepares a target (its metrics URL from its base URL, its token). `clock(now)`: seconds since the
   *  target started for a performance.now() time — the engine's clock, as in windows.jsonl. */
  async addTarget(target: Target, baseUrl: string, clock: (now: number) => number): Promise<void> {
    const settings = target.server_metrics;
    if (!settings) return;
    const state: TargetState = { target, scraper: null, startedAt: null, endedAt: null, stopping: null, warnings: [] };
    this.states.set(target.name, state);
    if (settings.prometheus === undefined) return;
    const url = new URL(settings.prometheus === 'endpoint' ? `${new URL(baseUrl).origin}/metrics` : settings.prometheus);
    const headers: Record<string, string> = {};
    if (settings.auth) {
      const token = this.o.resolveToken ? await this.o.resolveToken(target, settings.auth.env) : null;
      const problem = token === null ? null : credentialProblem(token);
      if (!this.o.resolveToken) state.warnings.push(`server metrics: server_metrics.auth is not read here; ${url.origin} was scraped without a token`);
      else if (token === null) state.warnings.push(`server metrics: ${settings.auth.env} is not set; ${url.origin} was scraped without a token`);
      else if (problem) state.warnings.push(`server metrics: the token in ${settings.auth.env} ${problem}; ${url.origin} was scraped without it`);
      else headers.authorization = `Bearer ${token}`;
    }
    // Its own connections: a scrape must not wait behind the run's streaming requests for a socket.
    this.transport ??= new Transport(4, this.o.proxy);
    if (this.o.outDir && !this.file) this.file = new ServerSamplesFile(this.o.outDir, true);
    state.scraper = new PrometheusScraper({
      target: target.name,
      url,
      intervalS: settings.interval_s,
      series: settings.series,
      headers,
      transport: this.transport,
      clock,
      emit: (sample) => {
        this.file?.append(sample);
        this.o.onSample?.(sample);
      },
    });
  }

  start(name: string): void {
    const s = this.states.get(name);
    if (!s || s.startedAt !== null) return;
    s.startedAt = epochMs();
    s.scraper?.start();
  }

  /** The target has finished: a last scrape, and its window closes. */
  async stop(name: string): Promise<void> {
    const s = this.states.get(name);
    if (!s || s.startedAt === null) return;
    if (!s.stopping) {
      s.endedAt = epochMs();
      s.stopping = s.scraper?.stop() ?? Promise.resolve();
    }
    await s.stopping;
  }

  startAll(): void {
    for (const name of this.states.keys()) this.start(name);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.states.keys()].map((name) => this.stop(name)));
  }

  /** Adds the `server` block (and warnings) to a target's summary. */
  attach(t: TargetSummary): void {
    const s = this.states.get(t.target);
    if (!s || s.startedAt === null) return;
    const server: ServerSummary = { window: { start: new Date(s.startedAt).toISOString(), end: new Date(s.endedAt ?? epochMs()).toISOString() } };
    if (s.scraper) {
      addScrapeSummary(server, s.scraper, t);
      s.warnings.push(...scrapeWarnings(s.scraper));
    }
    const azure = s.target.server_metrics?.azure_monitor;
    if (azure) {
      const where = this.o.outDir ? `perflab server-metrics ${this.o.outDir}` : 'perflab server-metrics <run folder>';
      server.azure_monitor = {
        resource_id: azure.resource_id ?? null,
        status: 'pending',
        message: `Azure Monitor publishes metrics a few minutes late: fetch them with \`${where}\` (or open the run in the editor)`,
        series: [],
      };
    }
    if (this.file?.error)
      s.warnings.push(`server metrics: ${SERVER_METRICS_FILE} could not be written (${this.file.error.message}); the summary still has what was scraped`);
    t.server = server;
    t.warnings.push(...s.warnings);
  }

  /** Stops every scraper at once and lets go of files and connections. */
  close(): void {
    for (const s of this.states.values()) s.scraper?.cancel();
    this.file?.close();
    this.file = null;
    this.transport?.destroy();
    this.transport = null;
  }
}

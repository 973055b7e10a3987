// The token for a target's metrics URL (`server_metrics.auth: { env: NAME }`) in the editor: like a key
// named in `auth.env` (key-binding.ts), a variable is sent only after the user allowed it — here for the
// metrics URL's origin, the one place the token goes (src/engine/server-metrics/session.ts) — and the
// approval is bound to that origin: change the URL's host and the user is asked again.
// Pure logic (no 'vscode'): the extension passes its SecretStorage in as `SecretBackend`.

import type { Target } from '../engine/scenario/types';
import { endpointOrigin, type SecretBackend } from './key-binding';

const APPROVAL_PREFIX = 'perflab.metrics-env-approved:';

export type MetricsTokenResolution =
  /** The target asks for no token (no `server_metrics.auth`, or the simulator). */
  | { none: true }
  | { value: string; env: string; origin: string }
  /** The variable is not set: the run scrapes without a token and the summary says so. */
  | { unset: string }
  /** The variable is set, not yet allowed for this origin: ask, then `approve`. */
  | { needsApproval: string; origin: string };

/** Where a target's metrics are scraped from (`prometheus: true` is its endpoint's origin); null for the
 *  simulator (its address is made for the run, on 127.0.0.1). */
export function metricsOrigin(target: Pick<Target, 'endpoint' | 'server_metrics'>): string | null {
  const p = target.server_metrics?.prometheus;
  if (p === undefined || target.endpoint === 'simulator') return null;
  return endpointOrigin(p === 'endpoint' ? target.endpoint : p);
}

export class MetricsTokenStore {
  constructor(
    private readonly secrets: SecretBackend,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async resolve(target: Pick<Target, 'endpoint' | 'server_metrics'>): Promise<MetricsTokenResolution> {
    const name = target.server_metrics?.auth?.env;
    const origin = metricsOrigin(target);
    if (name === undefined || origin === null) return { none: true };
    const value = this.env[name];
    if (!value) return { unset: name };
    if ((await this.secrets.get(approvalKey(name, origin))) !== 'approved') return { needsApproval: name, origin };
    return { value, env: name, origin };
  }

  /** Record that the variable may be sent to the target's metrics URL's origin. */
  async approve(target: Pick<Target, 'endpoint' | 'server_metrics'>): Promise<void> {
    const name = target.server_metrics?.auth?.env;
    const origin = metricsOrigin(target);
    if (name === undefined || origin === null) throw new Error('this target sends no token to its metrics URL');
    await this.secrets.store(approvalKey(name, origin), 'approved');
  }
}

function approvalKey(env: string, origin: string): string {
  return `${APPROVAL_PREFIX}${env}@${origin}`;
}

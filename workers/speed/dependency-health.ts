// What the worker is riding through right now: each dependency (postgres, kafka) that is
// failing transiently, since when and why. Retries report here (and count in
// clickstream_transient_errors_total); /healthz shows it as "degraded" while it lasts, so an
// operator sees a database outage as one, not as a silent stall. Restarting the worker would
// not help, so "degraded" still answers 200; only a stalled loop answers 503.
import type { SpeedMetrics } from './metrics.ts';

export type Dependency = 'postgres' | 'kafka';

interface Trouble {
  since: number;
  lastError: string;
  attempts: number;
}

export class DependencyHealth {
  private readonly troubles = new Map<string, Trouble>();

  constructor(
    private readonly metrics: SpeedMetrics,
    private readonly log: (msg: string) => void,
  ) {}

  /** A transient failure of `operation` on `dependency`; it will be retried. */
  retrying(dependency: Dependency, operation: string, description: string, now = Date.now()): void {
    const key = `${dependency}:${operation}`;
    const t = this.troubles.get(key);
    this.metrics.transientErrors.inc({ dependency, operation });
    if (t) {
      t.attempts++;
      t.lastError = description;
      // Log the first failure and then every tenth, so an outage is visible without flooding.
      if (t.attempts % 10 === 0)
        this.log(`${key} still failing (${t.attempts} attempts): ${description}`);
      return;
    }
    this.troubles.set(key, { since: now, lastError: description, attempts: 1 });
    this.log(`${key} failed, retrying with backoff: ${description}`);
  }

  /** `operation` on `dependency` succeeded again. */
  recovered(dependency: Dependency, operation: string, now = Date.now()): void {
    const key = `${dependency}:${operation}`;
    const t = this.troubles.get(key);
    if (!t) return;
    this.troubles.delete(key);
    this.log(
      `${key} recovered after ${Math.round((now - t.since) / 1000)} s and ${t.attempts} failed attempt(s)`,
    );
  }

  /** The dependencies being retried, for /healthz. Empty when all is well. */
  degraded(now = Date.now()): {
    dependency: string;
    since: number;
    forSeconds: number;
    lastError: string;
    attempts: number;
  }[] {
    return [...this.troubles].map(([key, t]) => ({
      dependency: key,
      since: t.since,
      forSeconds: Math.round((now - t.since) / 1000),
      lastError: t.lastError,
      attempts: t.attempts,
    }));
  }
}

// Turns the workers' Prometheus counters into rates. Each worker's counters restart at zero when
// the worker restarts, and workers come and go, so the meter keeps one monotonic total per series
// (sum of positive steps; a drop is a restart, so the new value is the step) and answers rates
// over a recent window from its own history. Pure: time comes in as arguments.

export type CounterReadings = Map<string, number>;

interface HistoryPoint {
  at: number;
  totals: Map<string, number>;
}

export class CounterMeter {
  private readonly last = new Map<string, number>();
  private readonly totals = new Map<string, number>();
  private readonly history: HistoryPoint[] = [];

  constructor(private readonly keepMs = 60_000) {}

  /**
   * Records one scrape round: `readings` maps worker → (series → counter value). A worker absent
   * from a round keeps its last value, so a missed scrape is not a restart.
   */
  observe(at: number, readings: Map<string, CounterReadings>): void {
    for (const [worker, series] of readings) {
      for (const [name, value] of series) {
        const key = `${worker}\u0000${name}`;
        const previous = this.last.get(key);
        this.last.set(key, value);
        // The first reading of a series is its baseline: what it counted before we looked is
        // not a rate.
        if (previous === undefined) {
          if (!this.totals.has(name)) this.totals.set(name, 0);
          continue;
        }
        const step = value >= previous ? value - previous : value;
        this.totals.set(name, (this.totals.get(name) ?? 0) + step);
      }
    }
    this.history.push({ at, totals: new Map(this.totals) });
    while (this.history.length > 2 && this.history[0]!.at < at - this.keepMs) this.history.shift();
  }

  /** How much each series grew over about the last `windowMs`, and over how long exactly. */
  private window(windowMs: number): { from: HistoryPoint; to: HistoryPoint } | undefined {
    const to = this.history.at(-1);
    if (!to || this.history.length < 2) return undefined;
    let from = this.history[0]!;
    for (const point of this.history) {
      if (point.at <= to.at - windowMs) from = point;
      else break;
    }
    return from === to ? undefined : { from, to };
  }

  /** Per-second rate of the sum of `names` over about `windowMs`; null before two rounds. */
  rate(names: readonly string[], windowMs: number): number | null {
    const w = this.window(windowMs);
    if (!w) return null;
    const seconds = (w.to.at - w.from.at) / 1000;
    if (seconds <= 0) return null;
    let delta = 0;
    for (const name of names)
      delta += (w.to.totals.get(name) ?? 0) - (w.from.totals.get(name) ?? 0);
    return delta / seconds;
  }

  /** Growth of every series whose name starts with `prefix` over about `windowMs`. */
  deltasByPrefix(prefix: string, windowMs: number): Map<string, number> {
    const out = new Map<string, number>();
    const w = this.window(windowMs);
    if (!w) return out;
    for (const [name, total] of w.to.totals) {
      if (!name.startsWith(prefix)) continue;
      out.set(name.slice(prefix.length), total - (w.from.totals.get(name) ?? 0));
    }
    return out;
  }
}

/**
 * The q-quantile of a Prometheus histogram from cumulative bucket counts (upper bound `le` →
 * count of observations ≤ le), interpolated linearly inside the bucket, as Prometheus's
 * histogram_quantile does. Null when there are no observations.
 */
export function histogramQuantile(q: number, buckets: ReadonlyMap<number, number>): number | null {
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (sorted.length === 0 || total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      // The +Inf bucket has no upper bound: answer the largest finite one.
      if (!Number.isFinite(le)) return lowerBound;
      const inBucket = count - lowerCount;
      if (inBucket <= 0) return le;
      return lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

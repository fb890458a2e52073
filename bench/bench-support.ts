// What the benchmarks share: their `--name=value` options, and latency percentiles.

/** The `--name=value` options a benchmark was given (anything else on its command line is ignored). */
export function benchArgs(argv: readonly string[] = process.argv.slice(2)): Map<string, string> {
  return new Map(
    argv.flatMap((a) => {
      const m = /^--([a-z-]+)=(.*)$/.exec(a);
      return m ? [[m[1]!, m[2]!] as const] : [];
    }),
  );
}

/** The nearest-rank `q` quantile of ascending `sorted` (NaN when empty). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Count, p50, p95, p99 and max of millisecond samples, rounded to `decimals`. */
export function latencySummary(samples: readonly number[], decimals: number) {
  const sorted = [...samples].sort((a, b) => a - b);
  const scale = 10 ** decimals;
  const round = (x: number) => Math.round(x * scale) / scale;
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 0.5)),
    p95Ms: round(percentile(sorted, 0.95)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

/**
 * The product's consumer session timeout (lib/config.ts default) for benchmarks that run workers
 * over the test harness, whose 6 s makes crash tests quick: with 6 s, a worker catching up with a
 * large state (a snapshot encode, a restore and a GC between heartbeats) lost its partitions and
 * restored them from snapshots three times in a 5M-event run, and the benchmark measured that.
 */
export const PRODUCT_SESSION_TIMEOUT = { KAFKA_SESSION_TIMEOUT_MS: '30000' } as const;

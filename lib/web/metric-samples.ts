// A worker's metrics as samples (name, labels, value), read from prom-client's own JSON form of
// its registry (Registry.getMetricsAsJSON: what a worker's /metrics answers to Accept:
// application/json), and summed or picked by name and labels. No text parsing: Prometheus reads
// the text format, the dashboard the JSON that prom-client writes. Unknown metrics are kept, so
// a newer worker with more metrics never breaks the dashboard.
import { z } from 'zod';

export interface MetricSample {
  /** The series name: a histogram's `_bucket`, `_sum` and `_count` are samples of their own. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The part of prom-client's `MetricObjectWithValues` the dashboard reads. */
const promClientMetrics = z.array(
  z.object({
    name: z.string(),
    values: z.array(
      z.object({
        // NaN and ±Inf become null in JSON.
        value: z.number().nullable(),
        labels: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
        // Set on a histogram's (or summary's) series: `…_bucket`, `…_sum`, `…_count`.
        metricName: z.string().optional(),
      }),
    ),
  }),
);

/** Every sample of `json` (prom-client's getMetricsAsJSON); throws when it is not that. */
export function samplesFromPromClient(json: unknown): MetricSample[] {
  const parsed = promClientMetrics.safeParse(json);
  if (!parsed.success) throw new Error('/metrics answered JSON that is not prom-client metrics');
  return parsed.data.flatMap((metric) =>
    metric.values.flatMap(({ value, labels, metricName }) =>
      value === null
        ? []
        : [
            {
              name: metricName ?? metric.name,
              // prom-client keeps a bucket's `le` a number (or '+Inf'); the text format's string.
              labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
              value,
            },
          ],
    ),
  );
}

/** Samples named `name` whose labels include every pair in `where`. */
export function select(
  samples: readonly MetricSample[],
  name: string,
  where: Record<string, string> = {},
): MetricSample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v),
  );
}

/** The sum of the selected samples' values (0 when there are none). */
export function sum(
  samples: readonly MetricSample[],
  name: string,
  where: Record<string, string> = {},
): number {
  return select(samples, name, where).reduce((total, s) => total + s.value, 0);
}

/** Whether any sample named `name` exists: tells "zero" from "not reported". */
export function has(samples: readonly MetricSample[], name: string): boolean {
  return samples.some((s) => s.name === name);
}

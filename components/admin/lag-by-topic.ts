// The pipeline snapshot's consumer lag (one row per topic partition) grouped for the admin page's
// charts: one entry per topic, by name, with its total and its partitions in order.
import type { LagRow } from '../../lib/web/pipeline-snapshot.ts';

export interface TopicLag {
  topic: string;
  total: number;
  partitions: { partition: string; lag: number }[];
}

/** The lag rows grouped by topic (by name), partitions in order. */
export function lagByTopic(rows: readonly LagRow[]): TopicLag[] {
  const topics = new Map<string, LagRow[]>();
  for (const row of rows) topics.set(row.topic, [...(topics.get(row.topic) ?? []), row]);
  return [...topics.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([topic, parts]) => ({
      topic,
      total: parts.reduce((n, p) => n + p.lag, 0),
      partitions: parts
        .sort((a, b) => a.partition - b.partition)
        .map((p) => ({ partition: String(p.partition), lag: p.lag })),
    }));
}

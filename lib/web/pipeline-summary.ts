// Pure reductions of one scrape round of every worker into the dashboard's figures: health per
// worker and partition, lag per topic partition, counter readings for the rate meter, and totals.
// Several workers may report the same partition (a stale gauge after a rebalance): the largest
// value wins there, so nothing is counted twice.
import type { CounterReadings } from './pipeline-meter.ts';
import { has, select, sum } from './metric-samples.ts';
import type { CountByLabel, LagRow, PartitionHealth, WorkerHealth } from './pipeline-snapshot.ts';
import type { WorkerScrape } from './worker-endpoints.ts';

export const METRIC = {
  eventsConsumed: 'clickstream_events_consumed_total',
  consumerLag: 'clickstream_consumer_lag_messages',
  watermarkDelay: 'clickstream_watermark_delay_seconds',
  stateKeys: 'clickstream_state_keys',
  stateClicks: 'clickstream_state_clicks',
  stateBytes: 'clickstream_state_bytes',
  checkouts: 'clickstream_checkouts_total',
  lateEvents: 'clickstream_late_events_total',
  deadLetters: 'clickstream_dead_letters_total',
  latencyBucket: 'clickstream_end_to_end_latency_seconds_bucket',
} as const;

export const SERIES = {
  events: 'events',
  attributed: 'checkouts:attributed',
  unattributed: 'checkouts:unattributed',
  latencyPrefix: 'latency:',
} as const;

/** The counters of one worker that the meter turns into rates. */
export function counterReadings(scrape: WorkerScrape): CounterReadings {
  const s = scrape.samples;
  const readings: CounterReadings = new Map();
  readings.set(SERIES.events, sum(s, METRIC.eventsConsumed));
  readings.set(SERIES.attributed, sum(s, METRIC.checkouts, { outcome: 'attributed' }));
  readings.set(SERIES.unattributed, sum(s, METRIC.checkouts, { outcome: 'unattributed' }));
  for (const bucket of select(s, METRIC.latencyBucket)) {
    const key = `${SERIES.latencyPrefix}${bucket.labels.le ?? '+Inf'}`;
    readings.set(key, (readings.get(key) ?? 0) + bucket.value);
  }
  return readings;
}

function countsByLabel(
  scrapes: readonly WorkerScrape[],
  name: string,
  label: string,
): CountByLabel[] {
  const counts = new Map<string, number>();
  for (const scrape of scrapes) {
    for (const sample of select(scrape.samples, name)) {
      const key = sample.labels[label] ?? '';
      counts.set(key, (counts.get(key) ?? 0) + sample.value);
    }
  }
  return [...counts.entries()]
    .map(([l, count]) => ({ label: l, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

export interface WorkerSummary {
  workers: WorkerHealth[];
  partitions: PartitionHealth[];
  lag: LagRow[];
  eventsByTopic: CountByLabel[];
  deadLettersByReason: CountByLabel[];
  consumerLag: number | null;
  watermarkDelaySec: number | null;
  stateKeys: number | null;
  stateClicks: number | null;
  stateBytes: number | null;
  lateEvents: number | null;
  deadLetters: number | null;
}

export function summarizeWorkers(scrapes: readonly WorkerScrape[], now: number): WorkerSummary {
  const up = scrapes.filter((s) => s.up);
  const workers: WorkerHealth[] = scrapes.map((s) => ({
    url: s.url,
    up: s.up,
    ...(s.error !== undefined ? { error: s.error } : {}),
    ...(s.stats?.lastProgressAt !== undefined ? { lastProgressAt: s.stats.lastProgressAt } : {}),
    partitions: s.stats?.partitions.length ?? 0,
  }));

  const partitions: PartitionHealth[] = [];
  for (const s of up) {
    for (const p of s.stats?.partitions ?? []) {
      const watermark =
        typeof p.watermark === 'number' && Number.isFinite(p.watermark) ? p.watermark : null;
      partitions.push({
        worker: s.url,
        partition: p.partition,
        watermark,
        watermarkDelaySec: watermark === null ? null : Math.max(0, (now - watermark) / 1000),
        keys: p.keys,
        clicks: p.clicks,
        stateBytes: p.stateBytes,
        pendingCheckouts: p.pendingCheckouts,
        nextOffsets: p.nextOffsets,
      });
    }
  }
  partitions.sort((a, b) => a.partition - b.partition);

  const lagByKey = new Map<string, LagRow>();
  for (const s of up) {
    for (const sample of select(s.samples, METRIC.consumerLag)) {
      const topic = sample.labels.topic ?? '';
      const partition = Number(sample.labels.partition ?? -1);
      const key = `${topic}/${partition}`;
      const lag = Math.max(0, sample.value);
      const seen = lagByKey.get(key);
      if (!seen || lag > seen.lag) lagByKey.set(key, { topic, partition, lag });
    }
  }
  const lag = [...lagByKey.values()].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
  );

  const reported = (name: string) => up.some((s) => has(s.samples, name));
  const total = (name: string) =>
    reported(name) ? up.reduce((n, s) => n + sum(s.samples, name), 0) : null;
  const withStats = up.filter((s) => s.stats !== undefined);
  const fromStats = (pick: (p: PartitionHealth) => number, gauge: string) =>
    withStats.length > 0 ? partitions.reduce((n, p) => n + pick(p), 0) : total(gauge);

  const delays = partitions.map((p) => p.watermarkDelaySec).filter((d): d is number => d !== null);
  let watermarkDelaySec: number | null = delays.length > 0 ? Math.max(...delays) : null;
  if (watermarkDelaySec === null && reported(METRIC.watermarkDelay)) {
    watermarkDelaySec = Math.max(
      ...up.flatMap((s) => select(s.samples, METRIC.watermarkDelay).map((x) => x.value)),
    );
  }

  return {
    workers,
    partitions,
    lag,
    eventsByTopic: countsByLabel(up, METRIC.eventsConsumed, 'topic'),
    deadLettersByReason: countsByLabel(up, METRIC.deadLetters, 'reason'),
    consumerLag: up.length > 0 ? lag.reduce((n, r) => n + r.lag, 0) : null,
    watermarkDelaySec,
    stateKeys: fromStats((p) => p.keys, METRIC.stateKeys),
    stateClicks: fromStats((p) => p.clicks, METRIC.stateClicks),
    stateBytes: fromStats((p) => p.stateBytes, METRIC.stateBytes),
    // A worker registers these counters before their first increment only once it has a label
    // set, so "not reported" on a live worker means none yet.
    lateEvents: up.length > 0 ? (total(METRIC.lateEvents) ?? 0) : null,
    deadLetters: up.length > 0 ? (total(METRIC.deadLetters) ?? 0) : null,
  };
}

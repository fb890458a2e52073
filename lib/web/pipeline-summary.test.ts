import { describe, expect, it } from 'vitest';
import type { MetricSample } from './metric-samples.ts';
import { SERIES, counterReadings, summarizeWorkers } from './pipeline-summary.ts';
import type { WorkerScrape } from './worker-endpoints.ts';

const NOW = 1_800_000_000_000;

/** Samples from `name{labels} value` rows, as a worker's registry would hold them. */
const samples = (rows: [string, Record<string, string>, number][]): MetricSample[] =>
  rows.map(([name, labels, value]) => ({ name, labels, value }));

function worker(
  url: string,
  metrics: MetricSample[],
  partitions: { partition: number; watermark: number | null; keys: number; clicks: number }[] = [],
): WorkerScrape {
  return {
    url,
    at: NOW,
    up: true,
    samples: metrics,
    stats: {
      partitions: partitions.map((p) => ({
        ...p,
        stateBytes: p.clicks * 100,
        pendingCheckouts: 1,
        nextOffsets: {},
      })),
      lastProgressAt: NOW - 500,
    },
  };
}

const A = worker(
  'http://a:9464/metrics',
  samples([
    ['clickstream_events_consumed_total', { topic: 'clicks' }, 100],
    ['clickstream_events_consumed_total', { topic: 'checkouts' }, 40],
    ['clickstream_checkouts_total', { outcome: 'attributed' }, 30],
    ['clickstream_checkouts_total', { outcome: 'unattributed' }, 5],
    ['clickstream_consumer_lag_messages', { topic: 'clicks', partition: '0' }, 7],
    ['clickstream_consumer_lag_messages', { topic: 'clicks-by-user', partition: '1' }, 3],
    ['clickstream_late_events_total', { topic: 'clicks' }, 2],
    ['clickstream_dead_letters_total', { topic: 'clicks', reason: 'invalid_json' }, 4],
    ['clickstream_end_to_end_latency_seconds_bucket', { kind: 'final', le: '0.1' }, 3],
    ['clickstream_end_to_end_latency_seconds_bucket', { kind: 'provisional', le: '0.1' }, 2],
    ['clickstream_end_to_end_latency_seconds_bucket', { kind: 'final', le: '+Inf' }, 4],
  ]),
  [{ partition: 1, watermark: NOW - 4_000, keys: 10, clicks: 12 }],
);
// B reports a stale, larger lag for a partition A also reports, and a partition of its own.
const B = worker(
  'http://b:9464/metrics',
  samples([
    ['clickstream_events_consumed_total', { topic: 'clicks' }, 10],
    ['clickstream_consumer_lag_messages', { topic: 'clicks', partition: '0' }, 9],
    ['clickstream_dead_letters_total', { topic: 'checkouts', reason: 'missing_field' }, 1],
  ]),
  [{ partition: 0, watermark: null, keys: 1, clicks: 1 }],
);
const DOWN: WorkerScrape = {
  url: 'http://c:9464/metrics',
  at: NOW,
  up: false,
  error: 'connection refused',
  samples: [],
};

describe('counterReadings', () => {
  it('reads the counters the meter turns into rates, latency buckets summed over kinds', () => {
    const r = counterReadings(A);
    expect(r.get(SERIES.events)).toBe(140);
    expect(r.get(SERIES.attributed)).toBe(30);
    expect(r.get(SERIES.unattributed)).toBe(5);
    expect(r.get(`${SERIES.latencyPrefix}0.1`)).toBe(5);
    expect(r.get(`${SERIES.latencyPrefix}+Inf`)).toBe(4);
  });
});

describe('summarizeWorkers', () => {
  const s = summarizeWorkers([A, B, DOWN], NOW);

  it('reports every worker, down ones with the reason', () => {
    expect(s.workers.map((w) => [w.url, w.up, w.partitions])).toEqual([
      ['http://a:9464/metrics', true, 1],
      ['http://b:9464/metrics', true, 1],
      ['http://c:9464/metrics', false, 0],
    ]);
    expect(s.workers[2]?.error).toBe('connection refused');
  });

  it('takes the largest lag per topic partition, never the sum of duplicates', () => {
    expect(s.lag).toEqual([
      { topic: 'clicks', partition: 0, lag: 9 },
      { topic: 'clicks-by-user', partition: 1, lag: 3 },
    ]);
    expect(s.consumerLag).toBe(12);
  });

  it('sums state over partitions and takes the worst watermark delay', () => {
    expect(s.partitions.map((p) => p.partition)).toEqual([0, 1]);
    expect(s.stateKeys).toBe(11);
    expect(s.stateClicks).toBe(13);
    expect(s.watermarkDelaySec).toBe(4);
    expect(s.partitions[0]?.watermarkDelaySec).toBeNull();
  });

  it('totals late and dead-lettered events, and groups them', () => {
    expect(s.lateEvents).toBe(2);
    expect(s.deadLetters).toBe(5);
    expect(s.deadLettersByReason).toEqual([
      { label: 'invalid_json', count: 4 },
      { label: 'missing_field', count: 1 },
    ]);
    expect(s.eventsByTopic).toEqual([
      { label: 'clicks', count: 110 },
      { label: 'checkouts', count: 40 },
    ]);
  });

  it('reports nothing, not zeros, when no worker answers', () => {
    const none = summarizeWorkers([DOWN], NOW);
    expect(none.consumerLag).toBeNull();
    expect(none.lateEvents).toBeNull();
    expect(none.stateClicks).toBeNull();
    expect(none.watermarkDelaySec).toBeNull();
  });
});

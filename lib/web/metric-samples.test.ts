import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { has, samplesFromPromClient, select, sum, type MetricSample } from './metric-samples.ts';

/** A real prom-client registry, as a worker's, read back as the dashboard reads it. */
async function workerSamples(): Promise<MetricSample[]> {
  const registry = new Registry();
  const consumed = new Counter({
    name: 'clickstream_events_consumed_total',
    help: 'Source events consumed',
    labelNames: ['topic'],
    registers: [registry],
  });
  consumed.inc({ topic: 'clicks' }, 120);
  consumed.inc({ topic: 'checkouts' }, 30);
  new Gauge({ name: 'clickstream_state_keys', help: 'Keys', registers: [registry] }).set(7);
  new Counter({
    name: 'clickstream_dead_letters_total',
    help: 'Dead letters',
    labelNames: ['topic', 'reason'],
    registers: [registry],
  }).inc({ topic: 'clicks', reason: 'bad "json", really' }, 2);
  const latency = new Histogram({
    name: 'clickstream_end_to_end_latency_seconds',
    help: 'Latency',
    labelNames: ['kind'],
    buckets: [0.1, 1],
    registers: [registry],
  });
  for (const seconds of [0.05, 0.5, 5]) latency.observe({ kind: 'final' }, seconds);
  new Gauge({ name: 'clickstream_weird', help: 'Not a number', registers: [registry] }).set(NaN);
  // Through JSON, as it crosses the wire.
  return samplesFromPromClient(JSON.parse(JSON.stringify(await registry.getMetricsAsJSON())));
}

describe('samplesFromPromClient', () => {
  it('reads names, labels and values, a histogram as its _bucket/_sum/_count series', async () => {
    const samples = await workerSamples();
    expect(samples).toContainEqual({
      name: 'clickstream_events_consumed_total',
      labels: { topic: 'clicks' },
      value: 120,
    });
    expect(samples).toContainEqual({
      name: 'clickstream_dead_letters_total',
      labels: { topic: 'clicks', reason: 'bad "json", really' },
      value: 2,
    });
    expect(select(samples, 'clickstream_end_to_end_latency_seconds_bucket')).toEqual([
      {
        name: 'clickstream_end_to_end_latency_seconds_bucket',
        labels: { le: '0.1', kind: 'final' },
        value: 1,
      },
      {
        name: 'clickstream_end_to_end_latency_seconds_bucket',
        labels: { le: '1', kind: 'final' },
        value: 2,
      },
      {
        name: 'clickstream_end_to_end_latency_seconds_bucket',
        labels: { le: '+Inf', kind: 'final' },
        value: 3,
      },
    ]);
    expect(sum(samples, 'clickstream_end_to_end_latency_seconds_count')).toBe(3);
    expect(has(samples, 'clickstream_weird')).toBe(false); // NaN: no reading
  });

  it('refuses JSON that is not prom-client metrics', () => {
    expect(() => samplesFromPromClient({ status: 'ok' })).toThrow(/not prom-client metrics/);
  });
});

describe('select, sum, has', () => {
  it('sum and select by labels', async () => {
    const samples = await workerSamples();
    expect(sum(samples, 'clickstream_events_consumed_total')).toBe(150);
    expect(sum(samples, 'clickstream_events_consumed_total', { topic: 'checkouts' })).toBe(30);
    expect(sum(samples, 'missing')).toBe(0);
    expect(select(samples, 'clickstream_state_keys')).toHaveLength(1);
    expect(has(samples, 'clickstream_state_keys')).toBe(true);
    expect(has(samples, 'missing')).toBe(false);
  });
});

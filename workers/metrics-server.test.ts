// The contract between a worker's /metrics and the web dashboard that reads it: the same
// prom-client registry, as text for Prometheus and as prom-client's JSON for the dashboard.
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeWorker } from '../lib/web/worker-endpoints.ts';
import { startMetricsServer } from './metrics-server.ts';

const registry = new Registry();
let server: Awaited<ReturnType<typeof startMetricsServer>>;
let metricsUrl: string;

beforeAll(async () => {
  new Counter({
    name: 'clickstream_checkouts_total',
    help: 'Checkouts decided',
    labelNames: ['outcome'],
    registers: [registry],
  }).inc({ outcome: 'attributed' }, 3);
  new Histogram({
    name: 'clickstream_end_to_end_latency_seconds',
    help: 'Latency',
    labelNames: ['kind'],
    buckets: [0.5],
    registers: [registry],
  }).observe({ kind: 'final' }, 0.2);
  server = await startMetricsServer({
    port: 0,
    registry,
    health: () => null,
    stats: () => ({ partitions: [] }),
    retainedClicks: () => undefined,
  });
  metricsUrl = `http://127.0.0.1:${server.port}/metrics`;
});

afterAll(() => server.close());

describe('/metrics', () => {
  it('serves the text format to Prometheus', async () => {
    const response = await fetch(metricsUrl);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(await response.text()).toContain('clickstream_checkouts_total{outcome="attributed"} 3');
  });

  it('serves the dashboard the same registry, which it reads sample for sample', async () => {
    const scrape = await scrapeWorker(metricsUrl);
    expect(scrape.up).toBe(true);
    expect(scrape.samples).toEqual([
      { name: 'clickstream_checkouts_total', labels: { outcome: 'attributed' }, value: 3 },
      {
        name: 'clickstream_end_to_end_latency_seconds_bucket',
        labels: { le: '0.5', kind: 'final' },
        value: 1,
      },
      {
        name: 'clickstream_end_to_end_latency_seconds_bucket',
        labels: { le: '+Inf', kind: 'final' },
        value: 1,
      },
      { name: 'clickstream_end_to_end_latency_seconds_sum', labels: { kind: 'final' }, value: 0.2 },
      { name: 'clickstream_end_to_end_latency_seconds_count', labels: { kind: 'final' }, value: 1 },
    ]);
  });
});

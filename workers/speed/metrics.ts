// The speed layer's Prometheus metrics, on a dedicated registry. Names and
// labels are fixed in docs/design.md; the Grafana dashboard and alert rules in
// deploy/ read exactly these.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createSpeedMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'clickstream_worker_' });
  const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
  return {
    registry,
    eventsConsumed: new Counter({
      name: 'clickstream_events_consumed_total',
      help: 'Source events consumed by the repartitioner, per topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'clickstream_consumer_lag_messages',
      help: 'Messages between the consumed offset and the end of the partition',
      labelNames: ['topic', 'partition'] as const,
      registers: [registry],
    }),
    watermarkDelay: new Gauge({
      name: 'clickstream_watermark_delay_seconds',
      help: 'Wall clock minus the partition watermark (event time)',
      labelNames: ['partition'] as const,
      registers: [registry],
    }),
    stateKeys: new Gauge({
      name: 'clickstream_state_keys',
      help: 'Retained (user, product) keys',
      registers: [registry],
    }),
    stateClicks: new Gauge({
      name: 'clickstream_state_clicks',
      help: 'Retained clicks',
      registers: [registry],
    }),
    stateBytes: new Gauge({
      name: 'clickstream_state_bytes',
      help: 'Estimated heap bytes of the retained state',
      registers: [registry],
    }),
    checkouts: new Counter({
      name: 'clickstream_checkouts_total',
      help: 'Checkouts processed, by first outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    checkoutRows: new Gauge({
      name: 'clickstream_checkout_rows',
      help: 'Checkouts held by this worker, by state (provisional = pending finality)',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    lateEvents: new Counter({
      name: 'clickstream_late_events_total',
      help: 'Events more than the allowed lateness behind the watermark (kept, not dropped)',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'clickstream_dead_letters_total',
      help: 'Malformed messages stored in commerce.dead_letters',
      labelNames: ['topic', 'reason'] as const,
      registers: [registry],
    }),
    sinkBatchSeconds: new Histogram({
      name: 'clickstream_sink_batch_seconds',
      help: 'Duration of one sink flush transaction',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    endToEndLatency: new Histogram({
      name: 'clickstream_end_to_end_latency_seconds',
      help: 'From the checkout being produced to its row being written',
      labelNames: ['kind'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    snapshotSeconds: new Histogram({
      name: 'clickstream_snapshot_seconds',
      help: 'Duration of encoding and writing state snapshots',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    transientErrors: new Counter({
      name: 'clickstream_transient_errors_total',
      help: 'Transient failures of a dependency, retried with backoff (see /healthz while they last)',
      labelNames: ['dependency', 'operation'] as const,
      registers: [registry],
    }),
    snapshotBytes: new Gauge({
      name: 'clickstream_snapshot_bytes',
      help: 'Size of the last state snapshot, all partitions of this worker',
      registers: [registry],
    }),
  };
}

export type SpeedMetrics = ReturnType<typeof createSpeedMetrics>;

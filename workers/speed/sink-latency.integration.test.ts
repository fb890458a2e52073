// A live checkout's row is written as soon as the attributor has it, not at the next flush tick:
// with SINK_FLUSH_INTERVAL_MS at 10 s here, a row that waited for the tick would take 5 s on
// average; flushed when its batch yields it, it takes a few hundred milliseconds end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPrismaOn } from '../../lib/db/client.ts';
import { seedReferenceData } from '../../lib/simulator/traffic.ts';
import {
  clickThenCheckout,
  createSpeedTestEnv,
  produceKeyless,
  waitForSink,
  type SpeedTestEnv,
} from '../../test/speed/test-harness.ts';
import { startSpeedLayer, type SpeedLayer } from './speed-layer.ts';

const FLUSH_TICK_MS = 10_000;

describe('a live checkout', () => {
  let env: SpeedTestEnv;
  let speed: SpeedLayer | undefined;
  // A product of its own each: the rule would give it the earliest click of an earlier one's.
  const live = (id: string, at: number) =>
    clickThenCheckout(env, { id, userId: 1, productId: `p-${id}`, at });

  beforeAll(async () => {
    env = await createSpeedTestEnv({ SINK_FLUSH_INTERVAL_MS: String(FLUSH_TICK_MS) });
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 5, products: 5 }));
    speed = await startSpeedLayer({
      config: env.config,
      kafka: env.kafka,
      pool: env.pool,
      log: () => undefined,
      groupPrefix: env.groupPrefix,
      metricsPort: 0,
    });
    // Joined and reading: the first row is written (however long that takes).
    await produceKeyless(env.kafka, live('warm-up', Date.now()));
    await waitForSink(env.pool, (rows) => rows.has('warm-up'), 60_000);
  }, 120_000);

  afterAll(async () => {
    await speed?.stop();
    await env?.cleanup();
  });

  it('has its row written well within the flush tick', async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 4; i++) {
      const id = `live-${i}`;
      const sentAt = Date.now();
      await produceKeyless(env.kafka, live(id, sentAt));
      await waitForSink(env.pool, (rows) => rows.get(id)?.click_id === `click-${id}`, 30_000);
      latencies.push(Date.now() - sentAt);
    }
    // The waits poll every 200 ms; each is one produce, two hops and one upsert.
    for (const ms of latencies) expect(ms).toBeLessThan(2_500);
  }, 150_000);
});

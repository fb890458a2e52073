// A worker started on a backlog writes each checkout about once: the checkouts topic is read far
// ahead of the clicks topic, and every provisional row written before its clicks were read used to
// be rewritten (a correction, then the final row): 1.8 updates per checkout on bench/peers'
// backlog. With the provisional hold (provisional-hold.ts) a checkout's row waits until its
// partition has read its clicks, and the final row usually replaces it before it is written. The
// rows are exactly the rule's either way. PostgreSQL counts the row versions the sink made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPrismaOn } from '../../lib/db/client.ts';
import { StreamGenerator } from '../../lib/simulator/stream-generator.ts';
import { seedReferenceData } from '../../lib/simulator/traffic.ts';
import {
  createSpeedTestEnv,
  expectedAttribution,
  produceKeyless,
  waitForSink,
  type SpeedTestEnv,
} from '../../test/speed/test-harness.ts';
import { startSpeedLayer, type SpeedLayer } from './speed-layer.ts';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

describe('a worker started on a backlog', () => {
  let env: SpeedTestEnv;
  let speed: SpeedLayer | undefined;
  const messages: { topic: string; value: string }[] = [];
  /** When the repartitioner had consumed every message (its metrics, polled every 100 ms). */
  let allConsumedAt: Promise<number>;

  beforeAll(async () => {
    // The default idle timeout, which bounds how long a row is held.
    env = await createSpeedTestEnv({ IDLE_TIMEOUT_MS: '10000' });
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 200, products: 20 }));
    const generator = new StreamGenerator(
      {
        users: 200,
        products: 20,
        checkoutProbability: 0.15,
        clickToCheckoutMs: { min: 1_000, max: 50 * 60_000 },
        outOfOrderShare: 0,
        lateShare: 0,
        duplicateShare: 0,
        malformedShare: 0,
        allowedLatenessMs: env.config.ALLOWED_LATENESS_MS,
      },
      7,
    );
    for (let t = T0; t < T0 + 6 * 3_600_000; t += 250) {
      for (const m of generator.emit(t, 1)) {
        messages.push({
          topic: m.topic === 'clicks' ? env.topics.clicks : env.topics.checkouts,
          value: m.value,
        });
      }
    }
    await produceKeyless(env.kafka, messages);
    speed = await startSpeedLayer({
      config: env.config,
      kafka: env.kafka,
      pool: env.pool,
      log: () => undefined,
      groupPrefix: env.groupPrefix,
      metricsPort: 0,
    });
    const metricsUrl = `http://127.0.0.1:${speed.metricsPort}/metrics`;
    allConsumedAt = (async () => {
      for (;;) {
        const text = await (await fetch(metricsUrl)).text();
        const consumed = [...text.matchAll(/^clickstream_events_consumed_total\{[^}]*\} (\d+)/gm)]
          .map((m) => Number(m[1]))
          .reduce((a, b) => a + b, 0);
        if (consumed >= messages.length) return Date.now();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  }, 180_000);

  afterAll(async () => {
    await speed?.stop();
    await env?.cleanup();
  });

  it('writes the rule rows with far fewer row versions than a correction per checkout', async () => {
    const expected = expectedAttribution(messages, env.topics);
    expect(expected.size).toBeGreaterThan(3_000);
    // The last checkouts stay provisional (nothing moves the watermark past them); every row
    // holds the rule's click already, as the clicks before it were all read.
    const rows = await waitForSink(
      env.pool,
      (r) => r.size >= expected.size && [...expected].every(([id, c]) => r.get(id)?.click_id === c),
      120_000,
    );
    expect(rows.size).toBe(expected.size);
    // Once every source was read to its end the catch-up is over: the rows still held for it are
    // written at once, not after the sources stood still for the idle timeout (10 s here).
    expect(Date.now() - (await allConsumedAt)).toBeLessThan(6_000);
    // A backend reports its row counts at most once a second, and an idle one within 10 s
    // (PGSTAT_IDLE_INTERVAL): wait for every insert to show, then for the last updates.
    const counts = async () => {
      const { rows: stats } = await env.pool.query<{ ins: string; upd: string }>(
        `SELECT n_tup_ins AS ins, n_tup_upd AS upd FROM pg_stat_user_tables
         WHERE schemaname = 'commerce' AND relname = 'attributed_checkouts'`,
      );
      return { inserted: Number(stats[0]!.ins), updated: Number(stats[0]!.upd) };
    };
    const deadline = Date.now() + 30_000;
    while ((await counts()).inserted < expected.size && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 11_000));
    const { inserted, updated } = await counts();
    expect(inserted).toBe(expected.size);
    // Without the hold: 9,272 updates for 12,234 checkouts here (0.76 each); releasing held rows
    // once the sources reached their checkouts: 61; once their final rows are due: 8.
    expect(updated).toBeLessThan(0.4 * expected.size);
  }, 150_000);
});

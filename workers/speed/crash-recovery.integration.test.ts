// kill -9 of worker processes at arbitrary moments while a stream flows, and
// a rebalance between two workers: the final table must hold exactly the rows
// the rule gives — none lost, none duplicated, none wrong.
import { afterEach, describe, expect, it } from 'vitest';
import { StreamGenerator, naiveTimestamp } from '../../lib/simulator/stream-generator.ts';
import { seedReferenceData } from '../../lib/simulator/traffic.ts';
import { withPrismaOn } from '../../lib/db/client.ts';
import {
  createSpeedTestEnv,
  expectedAttribution,
  produceKeyless,
  waitForSink,
  type SpeedTestEnv,
} from '../../test/speed/test-harness.ts';
import { WorkerProcess } from '../../test/speed/worker-process.ts';

const T0 = Date.UTC(2026, 10, 21, 8, 0, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stream(env: SpeedTestEnv, seed: number) {
  const generator = new StreamGenerator(
    {
      users: 30,
      products: 6,
      checkoutProbability: 0.4,
      clickToCheckoutMs: { min: 1_000, max: 80 * 60_000 },
      outOfOrderShare: 0.2,
      lateShare: 0,
      duplicateShare: 0.03,
      malformedShare: 0.01,
      allowedLatenessMs: env.config.ALLOWED_LATENESS_MS,
    },
    seed,
  );
  const messages: { topic: string; value: string }[] = [];
  for (let t = T0; t < T0 + 3 * 3_600_000; t += 2_000) {
    for (const m of generator.emit(t, 1)) {
      messages.push({
        topic: m.topic === 'clicks' ? env.topics.clicks : env.topics.checkouts,
        value: m.value,
      });
    }
  }
  return messages;
}

const pusher = (env: SpeedTestEnv) => ({
  topic: env.topics.clicks,
  value: JSON.stringify({
    click_id: 'watermark-pusher',
    user_id: 1,
    product_id: 'none',
    product: 'none',
    price: 0,
    url: 'u',
    user_agent: 'ua',
    ip_address: '127.0.0.1',
    datetime_occured: naiveTimestamp(T0 + 10 * 3_600_000),
  }),
});

async function expectRuleRows(env: SpeedTestEnv, messages: { topic: string; value: string }[]) {
  const expected = expectedAttribution(messages, env.topics);
  const rows = await waitForSink(
    env.pool,
    (r) => r.size >= expected.size && [...r.values()].every((row) => row.is_final),
    150_000,
  );
  expect(rows.size).toBe(expected.size);
  const wrong = [...expected].filter(([id, clickId]) => rows.get(id)?.click_id !== clickId);
  expect(wrong).toEqual([]);
}

describe('crash safety', () => {
  let env: SpeedTestEnv | undefined;
  const workers: WorkerProcess[] = [];

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
    await env?.cleanup();
    env = undefined;
  });

  it('ends with exactly the rule rows after repeated SIGKILLs mid-stream', async () => {
    env = await createSpeedTestEnv({ SNAPSHOT_INTERVAL_MS: '400' });
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 30, products: 6 }));
    const messages = stream(env, 7);
    const worker = new WorkerProcess(env.childEnv);
    workers.push(worker);
    worker.start();

    const chunks = 6;
    const size = Math.ceil(messages.length / chunks);
    for (let i = 0; i < chunks; i++) {
      await produceKeyless(env.kafka, messages.slice(i * size, (i + 1) * size));
      // Let it make some progress, then kill it without warning at an arbitrary point.
      await sleep(1500 + ((i * 977) % 1500));
      if (i < chunks - 1) {
        await worker.kill('SIGKILL');
        worker.start();
      }
    }
    await produceKeyless(env.kafka, [pusher(env)]);
    await expectRuleRows(env, messages);
  }, 240_000);

  it('moves partitions with their state when a second worker joins and the first leaves', async () => {
    env = await createSpeedTestEnv({ SNAPSHOT_INTERVAL_MS: '400' });
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 30, products: 6 }));
    const messages = stream(env, 11);
    const first = new WorkerProcess(env.childEnv);
    const second = new WorkerProcess({ ...env.childEnv, METRICS_PORT: '0' });
    workers.push(first, second);
    first.start();
    const third = Math.ceil(messages.length / 3);
    await produceKeyless(env.kafka, messages.slice(0, third));
    await sleep(2000);
    second.start(); // rebalance: partitions (and their state) are split between the two
    await produceKeyless(env.kafka, messages.slice(third, 2 * third));
    await sleep(8000);
    await first.kill('SIGTERM'); // graceful leave: the second takes everything over
    await produceKeyless(env.kafka, messages.slice(2 * third));
    await produceKeyless(env.kafka, [pusher(env)]);
    await expectRuleRows(env, messages);
  }, 240_000);
});

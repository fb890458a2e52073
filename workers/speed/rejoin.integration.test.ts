// A worker that is frozen past its session timeout is dropped from the group; another worker
// takes its partitions over and moves them on. When it wakes up it rejoins as a new member and
// may get the same partitions back: the state it holds in memory is stale by then, and only a
// reload from the snapshots keeps the rows exact.
import { afterEach, describe, expect, it } from 'vitest';
import { StreamGenerator, naiveTimestamp } from '../../lib/simulator/stream-generator.ts';
import { seedReferenceData } from '../simulator/traffic.ts';
import {
  createSpeedTestEnv,
  expectedAttribution,
  produceKeyless,
  waitForSink,
  type SpeedTestEnv,
} from './test-harness.ts';
import { WorkerProcess } from './worker-process.ts';

const T0 = Date.UTC(2026, 10, 21, 8, 0, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stream(env: SpeedTestEnv) {
  const generator = new StreamGenerator(
    {
      users: 30,
      products: 6,
      checkoutProbability: 0.4,
      clickToCheckoutMs: { min: 1_000, max: 80 * 60_000 },
      outOfOrderShare: 0.2,
      lateShare: 0,
      duplicateShare: 0.03,
      malformedShare: 0,
      allowedLatenessMs: env.config.ALLOWED_LATENESS_MS,
    },
    31,
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

describe('rejoining the group', () => {
  let env: SpeedTestEnv | undefined;
  const workers: WorkerProcess[] = [];

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      w.signal('SIGCONT');
      await w.kill();
    }
    await env?.cleanup();
    env = undefined;
  });

  it('reloads partitions from their snapshots after being dropped from the group', async () => {
    env = await createSpeedTestEnv({
      SNAPSHOT_INTERVAL_MS: '300',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    });
    await seedReferenceData(env.pool, { users: 30, products: 6 });
    const messages = stream(env);
    const first = new WorkerProcess(env.childEnv);
    const second = new WorkerProcess(env.childEnv);
    workers.push(first, second);
    first.start();
    second.start();
    const third = Math.ceil(messages.length / 3);
    await produceKeyless(env.kafka, messages.slice(0, third));
    await sleep(10_000);
    // Frozen past the session timeout: the second worker takes everything over.
    first.signal('SIGSTOP');
    await produceKeyless(env.kafka, messages.slice(third, 2 * third));
    await sleep(15_000);
    first.signal('SIGCONT');
    await sleep(10_000);
    await produceKeyless(env.kafka, messages.slice(2 * third));
    await produceKeyless(env.kafka, [
      {
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
      },
    ]);
    const expected = expectedAttribution(messages, env.topics);
    const rows = await waitForSink(
      env.pool,
      (r) => r.size >= expected.size && [...r.values()].every((row) => row.is_final),
      90_000,
    );
    expect(rows.size).toBe(expected.size);
    const wrong = [...expected].filter(([id, clickId]) => rows.get(id)?.click_id !== clickId);
    expect(wrong).toEqual([]);
  }, 240_000);
});

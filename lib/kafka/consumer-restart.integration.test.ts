// recoverFromCrashes against the real broker: a consumer that kafkajs gives up on is restarted
// when the cause is transient, and reported as fatal when it is a bug, never left dead.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { createKafka } from './client.ts';
import { recoverFromCrashes } from './consumer-restart.ts';
import { ensureTopics } from './topics.ts';

const config = loadConfig();
const runId = randomUUID().slice(0, 8);
const topic = `it-restart-${runId}`;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  // Few kafkajs retries, so a retried error reaches the crash handler in seconds.
  kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `it-restart-${runId}`,
    logLevel: 'error',
    log: createLogger({ level: 'silent' }),
    retry: { initialRetryTime: 100, retries: 1 },
  });
  admin = kafka.admin();
  await admin.connect();
  await ensureTopics(kafka, [{ name: topic, partitions: 1 }]);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: 20 }, (_, i) => ({ value: String(i) })),
  });
  await producer.disconnect();
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});

/** Runs a consumer whose eachBatch throws `failure` `times` times, then reads normally. */
async function consumerFailing(failure: Error, times = 1) {
  const consumer: Consumer = kafka.consumer({
    groupId: `it-restart-${runId}-${randomUUID().slice(0, 6)}`,
    maxWaitTimeInMs: 100,
    sessionTimeout: 6_000,
    heartbeatInterval: 1_000,
  });
  const seen = new Set<string>();
  const fatal: { error: unknown; context: string }[] = [];
  const transient: string[] = [];
  let thrown = 0;
  const stopping = new AbortController();
  const run = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }: EachBatchPayload) => {
        if (thrown < times) {
          thrown++;
          throw failure;
        }
        for (const m of batch.messages) seen.add(m.value!.toString());
      },
    });
  };
  recoverFromCrashes({
    consumer,
    name: 'test consumer',
    run,
    onFatal: (error, context) => fatal.push({ error, context }),
    onTransient: (_e, description) => transient.push(description),
    signal: stopping.signal,
    log: () => undefined,
  });
  await run();
  return {
    seen,
    fatal,
    transient,
    stop: async () => {
      stopping.abort();
      await consumer.disconnect();
    },
  };
}

describe('recoverFromCrashes', () => {
  it('restarts a consumer that kafkajs gave up on for a transient cause', async () => {
    // Not retriable for kafkajs (so it stops the consumer for good), transient for us.
    const error = Object.assign(new Error('Connection terminated unexpectedly'), {
      retriable: false,
    });
    const c = await consumerFailing(error);
    try {
      await expect.poll(() => c.seen.size, { timeout: 30_000 }).toBe(20);
      expect(c.transient.some((d) => /Connection terminated/.test(d))).toBe(true);
      expect(c.fatal).toEqual([]);
    } finally {
      await c.stop();
    }
  });

  it('reports a bug that stopped the consumer as fatal', async () => {
    const c = await consumerFailing(new TypeError('x.y is not a function'));
    try {
      await expect.poll(() => c.fatal.length, { timeout: 30_000 }).toBe(1);
      expect(c.fatal[0]!.context).toMatch(/stopped by a bug/);
    } finally {
      await c.stop();
    }
  });

  it('does not let kafkajs restart into a bug forever', async () => {
    // kafkajs retries a plain Error, then restarts the consumer itself (restart: true), forever.
    const c = await consumerFailing(new Error('invariant broken'), Number.POSITIVE_INFINITY);
    try {
      await expect.poll(() => c.fatal.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
      expect(String(c.fatal[0]!.error)).toMatch(/invariant broken/);
    } finally {
      await c.stop();
    }
  });
});

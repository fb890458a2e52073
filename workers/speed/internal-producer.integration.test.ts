// InternalProducer.sendTogether against the real broker: the sends made in one turn of the event
// loop (the batches of one fetch) leave as one produce request, every message arrives in its
// send's order, a set of sends too large for one request still arrives whole and in order, and a
// failure reaches every send that was joined.
import { randomBytes } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpeedTestEnv, type SpeedTestEnv } from '../../test/speed/test-harness.ts';
import { InternalProducer, type InternalMessage } from './internal-producer.ts';

const retryNever = <T>(run: () => Promise<T>) => run();

describe('InternalProducer.sendTogether', () => {
  let env: SpeedTestEnv;
  let producer: Producer;
  let internal: InternalProducer;
  let produceRequests = 0;
  const admin = () => env.kafka.admin();

  beforeAll(async () => {
    env = await createSpeedTestEnv({ TOPIC_PARTITIONS: '3' });
    producer = env.kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
    producer.on(producer.events.REQUEST, ({ payload }) => {
      if (payload.apiName === 'Produce') produceRequests++;
    });
    await producer.connect();
    const a = admin();
    await a.connect();
    internal = new InternalProducer(producer, a);
    await internal.loadLimits([env.topics.clicksByUser, env.topics.checkoutsByUser]);
    await a.disconnect();
  }, 60_000);

  afterAll(async () => {
    await producer?.disconnect();
    await env?.cleanup();
  });

  /** Reads `topic` from the start until `count` messages arrived: "partition:value" in order. */
  async function readBack(topic: string, count: number): Promise<Map<number, string[]>> {
    const consumer: Consumer = env.kafka.consumer({
      groupId: `test-together-${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: 100,
    });
    const byPartition = new Map<number, string[]>();
    let seen = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const list = byPartition.get(partition) ?? [];
        list.push(message.value!.toString());
        byPartition.set(partition, list);
        seen++;
      },
    });
    await expect.poll(() => seen, { timeout: 30_000 }).toBeGreaterThanOrEqual(count);
    await consumer.disconnect();
    return byPartition;
  }

  const messages = (source: string, n: number, bytes = 16): InternalMessage[] =>
    Array.from({ length: n }, (_, i) => ({
      partition: i % 3,
      value: Buffer.from(`${source}-${String(i).padStart(4, '0')}-`.padEnd(bytes, 'x')),
    }));

  it('joins the sends of one turn into one request, each send in its order', async () => {
    const sources = ['s0', 's1', 's2', 's3', 's4', 's5'];
    const before = produceRequests;
    await Promise.all(
      sources.map((s, i) =>
        internal.sendTogether(
          i % 2 === 0 ? env.topics.clicksByUser : env.topics.checkoutsByUser,
          messages(s, 30),
          retryNever,
        ),
      ),
    );
    expect(produceRequests - before).toBe(1);

    for (const topic of [env.topics.clicksByUser, env.topics.checkoutsByUser]) {
      const read = await readBack(topic, 90);
      const all = [...read.values()].flat();
      expect(all).toHaveLength(90);
      for (const [partition, values] of read) {
        for (const s of sources) {
          const mine = values.filter((v) => v.startsWith(`${s}-`));
          // Each send's messages for this partition, in the order it gave them.
          const expected = messages(s, 30)
            .filter((m) => m.partition === partition)
            .map((m) => m.value.toString());
          if (mine.length > 0) expect(mine).toEqual(expected);
        }
      }
    }
  }, 60_000);

  it('sends what does not fit in one request in several, whole and in order', async () => {
    const limit = internal.limitOf(env.topics.clicksByUser);
    // Two sends whose records together exceed a record batch of the topic's limit three times over.
    const size = 64 * 1024;
    const n = Math.ceil((3 * limit) / size / 2);
    const before = produceRequests;
    const topic = env.topics.clicksByUser;
    await Promise.all([
      internal.sendTogether(topic, messages('big-a', n, size), retryNever),
      internal.sendTogether(topic, messages('big-b', n, size), retryNever),
    ]);
    expect(produceRequests - before).toBeGreaterThan(1);
    const read = await readBack(topic, 90 + 2 * n);
    for (const [partition, values] of read) {
      for (const s of ['big-a', 'big-b']) {
        const expected = messages(s, n, size)
          .filter((m) => m.partition === partition)
          .map((m) => m.value.toString());
        expect(values.filter((v) => v.startsWith(`${s}-`))).toEqual(expected);
      }
    }
  }, 60_000);

  it('fails every joined send when the request fails', async () => {
    // One record over the topic's max.message.bytes: the broker refuses the request for good.
    const tooLarge = internal.limitOf(env.topics.clicksByUser) + 1024;
    const results = await Promise.allSettled([
      internal.sendTogether(env.topics.checkoutsByUser, messages('f0', 3), retryNever),
      internal.sendTogether(env.topics.clicksByUser, messages('f1', 1, tooLarge), retryNever),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/too large|size/i);
  }, 60_000);
});

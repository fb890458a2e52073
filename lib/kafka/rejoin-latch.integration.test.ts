// The rejoin latch against the real broker: a member busy with a fetch of many slow batches
// learns of a rebalance from a batch's heartbeat and rejoins at once, instead of working through
// the rest of the fetch while the member that joins waits for its partitions.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { createKafka } from './client.ts';
import { RejoinLatch } from './rejoin-latch.ts';
import { ensureTopics } from './topics.ts';

const config = loadConfig();
const runId = randomUUID().slice(0, 8);
const topic = `it-rejoin-${runId}`;
const PARTITIONS = 12;
const BATCH_MS = 400;
let kafka: Kafka;
let admin: Admin;
const consumers: Consumer[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `it-rejoin-${runId}`,
    logLevel: 'error',
    log: createLogger({ level: 'silent' }),
  });
  admin = kafka.admin();
  await admin.connect();
  await ensureTopics(kafka, [{ name: topic, partitions: PARTITIONS }]);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: PARTITIONS * 5 }, (_, i) => ({
      partition: i % PARTITIONS,
      value: String(i),
    })),
  });
  await producer.disconnect();
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});

/** A member whose every batch takes BATCH_MS, then heartbeats, as the speed workers' do. */
function slowMember(groupId: string) {
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    sessionTimeout: 30_000,
    heartbeatInterval: 250,
  });
  consumers.push(consumer);
  const latch = new RejoinLatch();
  const member = {
    consumer,
    /** Batches whose work began while the member already knew it must rejoin. */
    batchesAfterRejoinNoticed: 0,
    batchesStarted: 0,
    joinedAt: [] as number[],
  };
  consumer.on(consumer.events.GROUP_JOIN, () => {
    latch.joined();
    member.joinedAt.push(Date.now());
  });
  const run = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async (payload: EachBatchPayload) => {
        try {
          latch.check();
          if (member.batchesStarted++ > 0 && noticed) member.batchesAfterRejoinNoticed++;
          await sleep(BATCH_MS);
          payload.resolveOffset(payload.batch.lastOffset());
          await latch.heartbeat(payload.heartbeat)();
        } catch (error) {
          latch.note(error);
          if (latch.rejoining) noticed = true;
          throw error;
        }
      },
    });
  };
  let noticed = false;
  return { member, run, reset: () => (noticed = false) };
}

describe('RejoinLatch', () => {
  it('lets a busy member hand partitions to a joining one within a batch, not a whole fetch', async () => {
    const groupId = `it-rejoin-${runId}-group`;
    const first = slowMember(groupId);
    await first.run();
    // The first member has every partition and is inside a fetch of PARTITIONS slow batches.
    for (let waited = 0; first.member.batchesStarted === 0; waited += 50) {
      if (waited > 20_000) throw new Error('the first member never got a batch');
      await sleep(50);
    }
    const second = slowMember(groupId);
    const joinStarted = Date.now();
    await second.run();
    for (let waited = 0; second.member.joinedAt.length === 0; waited += 50) {
      if (waited > 30_000) throw new Error('the second member never joined');
      await sleep(50);
    }
    const joinTook = second.member.joinedAt[0]! - joinStarted;
    // Without the latch the first member works through the rest of its fetch first:
    // up to (PARTITIONS - 1) × BATCH_MS = 4.4 s. With it: the batch in hand and a heartbeat.
    expect(joinTook).toBeLessThan(PARTITIONS * BATCH_MS * 0.5);
    expect(first.member.batchesAfterRejoinNoticed).toBe(0);
  }, 60_000);
});

// Against the real broker at KAFKA_BROKERS (started by the test runner): explicit topic creation,
// keyless JSON through a consumer group with committed offsets, and refusal of short topics.
import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { createKafka } from './client.ts';
import { createHighWatermarkAdmin } from './high-watermarks.ts';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  ensureTopics,
  maxMessageBytes,
  TopicPartitionsError,
  topicNames,
  waitForTopics,
} from './topics.ts';

const config = loadConfig();
const runId = randomUUID().slice(0, 8);
const topic = (name: string) => `it-kafka-${runId}-${name}`;
const logLines: string[] = [];
const createdTopics: string[] = [];

let kafka: Kafka;
let admin: Admin;

async function partitionCount(name: string): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
  return topics[0]?.partitions.length ?? 0;
}

beforeAll(async () => {
  kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `it-kafka-${runId}`,
    // Every record kafkajs makes at debug: none may be its partitioner warning.
    log: createLogger({ level: 'debug', destination: { write: (line) => logLines.push(line) } }),
  });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  if (createdTopics.length > 0) await admin.deleteTopics({ topics: createdTopics });
  await admin.disconnect();
});

describe('ensureTopics', () => {
  it('creates missing topics with the configured partition count, then is idempotent', async () => {
    const specs = [
      { name: topic('a'), partitions: 6 },
      {
        name: topic('b'),
        partitions: 6,
        replicationFactor: 1,
        configs: { 'retention.ms': '3600000' },
      },
    ];
    createdTopics.push(...specs.map((s) => s.name));

    const first = await ensureTopics(kafka, specs);
    expect(first).toEqual({ created: [topic('a'), topic('b')], existing: [] });
    expect(await partitionCount(topic('a'))).toBe(6);
    expect(await partitionCount(topic('b'))).toBe(6);
    const [described] = (
      await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: topic('b'), configNames: ['retention.ms'] },
        ],
      })
    ).resources;
    expect(described?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe(
      '3600000',
    );

    const second = await ensureTopics(kafka, specs);
    expect(second).toEqual({ created: [], existing: [topic('a'), topic('b')] });
    expect(await partitionCount(topic('a'))).toBe(6);
  });

  it('refuses an existing topic with fewer partitions than configured', async () => {
    const short = topic('short');
    createdTopics.push(short);
    // kafkajs's waitForLeaders gives up if the broker does not know the topic yet: wait for it here.
    await admin.createTopics({
      waitForLeaders: false,
      topics: [{ topic: short, numPartitions: 2 }],
    });
    await waitForTopics(admin, [short]);

    const attempt = ensureTopics(kafka, [{ name: short, partitions: 6 }]);
    await expect(attempt).rejects.toBeInstanceOf(TopicPartitionsError);
    await expect(attempt).rejects.toThrow(/exists with 2 partition\(s\) but 6 are configured/);
    // Nothing was altered behind our back.
    expect(await partitionCount(short)).toBe(2);
  });

  it('waits for a topic the broker does not know yet instead of failing', async () => {
    // What a broker answers for a topic whose creation has not reached its metadata yet.
    const late = topic('late');
    createdTopics.push(late);
    await expect(admin.fetchTopicMetadata({ topics: [late] })).rejects.toThrow(
      /does not host this topic-partition/,
    );
    const ready = waitForTopics(admin, [late], { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500));
    await admin.createTopics({
      waitForLeaders: false,
      topics: [{ topic: late, numPartitions: 2 }],
    });
    const [metadata] = await ready;
    expect(metadata?.partitions).toHaveLength(2);
    expect(metadata?.partitions.every((p) => p.leader >= 0)).toBe(true);
  });

  it('returns only once every partition takes writes (no produce refused, retried, duplicated)', async () => {
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (let i = 0; i < 5; i++) {
        const name = topic(`fresh-${i}`);
        createdTopics.push(name);
        await ensureTopics(kafka, [{ name, partitions: 6 }]);
        await producer.send({
          topic: name,
          acks: -1,
          messages: Array.from({ length: 60 }, (_, j) => ({ value: String(j) })),
        });
        const offsets = await admin.fetchTopicOffsets(name);
        expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(60);
      }
    } finally {
      await producer.disconnect();
    }
  });

  it("reads a topic's max.message.bytes, its own or the broker's", async () => {
    const small = topic('small-batches');
    const plain = topic('plain');
    createdTopics.push(small, plain);
    await ensureTopics(kafka, [
      { name: small, partitions: 1, configs: { 'max.message.bytes': '200000' } },
      { name: plain, partitions: 1 },
    ]);
    const limits = await maxMessageBytes(admin, [small, plain]);
    expect(limits.get(small)).toBe(200_000);
    expect(limits.get(plain)).toBe(DEFAULT_MAX_MESSAGE_BYTES);
  });

  it('accepts a topic with more partitions than configured', async () => {
    const wide = topic('wide');
    createdTopics.push(wide);
    await ensureTopics(kafka, [{ name: wide, partitions: 8 }]);
    const result = await ensureTopics(kafka, [{ name: wide, partitions: 6 }]);
    expect(result.existing).toEqual([wide]);
  });
});

describe('produce and consume', () => {
  it('round-trips keyless JSON through a consumer group and commits its offsets', async () => {
    const name = topic('events');
    createdTopics.push(name);
    await ensureTopics(kafka, [{ name, partitions: 6 }]);

    const sent = Array.from({ length: 60 }, (_, i) => ({ seq: i, user_id: `u${i % 7}`, runId }));
    const producer = kafka.producer();
    await producer.connect();
    const acks = await producer.send({
      topic: name,
      acks: -1,
      messages: sent.map((event) => ({ value: JSON.stringify(event) })),
    });
    await producer.disconnect();
    // Keyless records are spread over partitions, not piled onto one.
    expect(new Set(acks.map((a) => a.partition)).size).toBeGreaterThan(1);

    const groupId = `it-kafka-${runId}-group`;
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const received: { seq: number; partition: number }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: name, fromBeginning: true });
    const allReceived = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const event = JSON.parse(message.value?.toString() ?? 'null') as { seq: number };
          received.push({ seq: event.seq, partition });
          if (received.length === sent.length) resolve();
        },
      });
    });
    await Promise.race([
      allReceived,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`received ${received.length}/${sent.length}`)), 60_000),
      ),
    ]);
    await consumer.disconnect(); // commits the offsets of what was processed

    expect(received.map((r) => r.seq).sort((a, b) => a - b)).toEqual(sent.map((e) => e.seq));
    expect(new Set(received.map((r) => r.partition)).size).toBeGreaterThan(1);

    const [committed] = await admin.fetchOffsets({ groupId, topics: [name] });
    expect(committed?.partitions).toHaveLength(6);
    const total = committed?.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(total).toBe(sent.length);
    await admin.deleteGroups([groupId]);
  });

  it('logs no partitioner warning (producers name their partitioner)', () => {
    expect(logLines.filter((line) => /partitioner/i.test(line))).toEqual([]);
  });
});

describe('createHighWatermarkAdmin', () => {
  it('sees the records of an open transaction, which read_committed offsets hide', async () => {
    const name = topic('txn');
    createdTopics.push(name);
    await ensureTopics(kafka, [{ name, partitions: 1 }]);
    const producer = kafka.producer({
      transactionalId: `it-kafka-${runId}-txn`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    const hw = createHighWatermarkAdmin(kafka);
    await Promise.all([producer.connect(), hw.connect()]);
    try {
      const txn = await producer.transaction();
      await txn.send({ topic: name, messages: [{ value: 'a' }, { value: 'b' }] });
      const [committed] = await admin.fetchTopicOffsets(name);
      const [high] = await hw.fetchTopicOffsets(name);
      expect(committed?.high).toBe('0'); // the last stable offset
      expect(high?.high).toBe('2');
      await txn.commit();
      // The coordinator writes the commit marker after answering EndTxn: poll for it.
      await expect
        .poll(async () => (await hw.fetchTopicOffsets(name))[0]?.high, { timeout: 10_000 })
        .toBe('3'); // two records and the commit marker
      // The swap is for that one admin: the client's other admins still read committed offsets.
      const other = kafka.admin();
      await other.connect();
      const t2 = await producer.transaction();
      await t2.send({ topic: name, messages: [{ value: 'c' }] });
      expect((await other.fetchTopicOffsets(name))[0]?.high).toBe('3');
      await t2.abort();
      await other.disconnect();
    } finally {
      await Promise.all([producer.disconnect(), hw.disconnect()]);
    }
  });
});

describe('topicNames', () => {
  it('derives the internal topic names from the configured source topics', () => {
    expect(topicNames({ CLICKS_TOPIC: 'c', CHECKOUTS_TOPIC: 'k' })).toEqual({
      clicks: 'c',
      checkouts: 'k',
      clicksByUser: 'c-by-user',
      checkoutsByUser: 'k-by-user',
    });
  });
});

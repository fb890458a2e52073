// The range reader when kafkajs's consumer crashes and restarts itself, on the real broker: a
// connection cut while joining the group (what a freshly started broker's loading coordinator
// does to a join) and a connection cut mid-read. The reader's client gives up at the first
// failure (no retries), so each cut is a crash with restart. Every offset of every range must
// still arrive exactly once and in order, and the read must finish.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createKafka, parseBrokers } from '../../lib/kafka/client.ts';
import { ensureTopics } from '../../lib/kafka/topics.ts';
import type { PartitionRead } from '../../lib/lake/read-plan.ts';
import { readRanges } from './kafka-range-reader.ts';

const API_KEY = { fetch: 1, joinGroup: 11 } as const;
const PER_PARTITION = 600;
/** 600 such values are 4.8 MB a partition: several 2 MB fetches, so a cut can fall mid-read. */
const PADDING = '.'.repeat(8000);

/** Cuts the connection that is about to send the next `count` requests of one API. */
class ConnectionCutter {
  private armed = new Map<number, { skip: number; count: number }>();
  cuts = 0;

  /** Lets `skip` such requests through first. */
  arm(apiKey: number, count: number, skip = 0): void {
    this.armed.set(apiKey, { skip, count });
  }

  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = net.connect({ host, port }, onConnect);
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    // kafkajs writes each request with one write: size (int32), then the API key (int16).
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk) && chunk.length >= 6 && this.shouldCut(chunk.readInt16BE(4))) {
        this.cuts++;
        // With an error, as a reset connection: kafkajs fails the request at once.
        socket.destroy(new Error('connection cut by the test'));
        return false;
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    return socket;
  };

  private shouldCut(apiKey: number): boolean {
    const plan = this.armed.get(apiKey);
    if (plan === undefined || plan.count === 0) return false;
    if (plan.skip > 0) {
      plan.skip--;
      return false;
    }
    plan.count--;
    return true;
  }
}

const config = loadConfig();
const topic = `range-reader-${randomBytes(4).toString('hex')}`;
const admin = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: 'range-reader-test',
  logLevel: 'error',
});

beforeAll(async () => {
  await ensureTopics(admin, [{ name: topic, partitions: 3 }]);
  const producer = admin.producer();
  await producer.connect();
  for (const partition of [0, 1, 2]) {
    const messages = Array.from({ length: PER_PARTITION }, (_, i) => ({
      partition,
      value: `${partition}:${i}:${PADDING}`,
    }));
    // Several requests, so the partition holds several record batches.
    for (let i = 0; i < messages.length; i += 50)
      await producer.send({ topic, messages: messages.slice(i, i + 50) });
  }
  await producer.disconnect();
}, 120_000);

afterAll(async () => {
  const client = admin.admin();
  await client.connect();
  await client.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await client.disconnect();
});

/** A client of the real broker whose connections `cutter` may cut; no retries, quick restarts. */
function kafkaThrough(cutter: ConnectionCutter): Kafka {
  return new Kafka({
    brokers: parseBrokers(config.KAFKA_BROKERS),
    clientId: 'range-reader-faults',
    logLevel: logLevel.NOTHING,
    socketFactory: cutter.socketFactory,
    retry: { retries: 0, initialRetryTime: 100 },
  });
}

async function readAll(kafka: Kafka, reads: PartitionRead[]) {
  const delivered = new Map<number, number[]>();
  await readRanges(
    kafka,
    reads,
    async (_topic, partition, records) => {
      const list = delivered.get(partition) ?? [];
      for (const r of records) {
        expect(Buffer.from(r.value!).toString()).toBe(`${partition}:${r.offset}:${PADDING}`);
        list.push(r.offset);
      }
      delivered.set(partition, list);
    },
    { groupId: `range-reader-${randomBytes(4).toString('hex')}`, stallTimeoutMs: 30_000 },
  );
  return delivered;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
// A range starting past 0 (as after an earlier export), a whole partition, an empty one.
const reads: PartitionRead[] = [
  { topic, partition: 0, from: 100, to: 550, tableStarts: {} },
  { topic, partition: 1, from: 0, to: PER_PARTITION, tableStarts: {} },
  { topic, partition: 2, from: PER_PARTITION, to: PER_PARTITION, tableStarts: {} },
];

/** Each offset of each range once, in order; nothing from the empty one. */
function expectEveryRangeOnce(delivered: Map<number, number[]>): void {
  expect(delivered.get(0)).toEqual(range(100, 550));
  expect(delivered.get(1)).toEqual(range(0, PER_PARTITION));
  expect(delivered.has(2)).toBe(false);
}

describe('readRanges when the consumer crashes and restarts', () => {
  it('reads every range exactly once after the join itself failed', async () => {
    const cutter = new ConnectionCutter();
    cutter.arm(API_KEY.joinGroup, 2);
    const delivered = await readAll(kafkaThrough(cutter), reads);
    expect(cutter.cuts).toBe(2);
    expectEveryRangeOnce(delivered);
  }, 60_000);

  it('reads every range exactly once after a crash mid-read', async () => {
    const cutter = new ConnectionCutter();
    cutter.arm(API_KEY.fetch, 1, 2);
    const delivered = await readAll(kafkaThrough(cutter), reads);
    expect(cutter.cuts).toBe(1);
    expectEveryRangeOnce(delivered);
  }, 60_000);
});

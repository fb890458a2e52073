// Reads fixed offset ranges [from, to) of topic-partitions once and stops: the AvailableNow
// source. A consumer group of its own (a fresh id per run, never committed: offsets live in the
// Delta tables) seeks every partition to its position on every group join; each partition is
// paused at its end. Invariant: every offset in a range is delivered exactly once, in order, then
// never again.
import type { Consumer, Kafka } from 'kafkajs';
import type { PartitionRead } from '../../lib/lake/read-plan.ts';

export interface RangeRecord {
  offset: number;
  /** Kafka record timestamp, epoch ms. */
  timestamp: number;
  /** The record's value; null for a tombstone (which the parser refuses, with its own reason). */
  value: Uint8Array | null;
}

export type RangeBatchHandler = (
  topic: string,
  partition: number,
  records: RangeRecord[],
) => Promise<void>;

export interface ReadRangesOptions {
  groupId: string;
  /** Give up when no partition advanced for this long. */
  stallTimeoutMs?: number;
  /** Called with each partition's next offset after every batch (progress). */
  onPosition?: (topic: string, partition: number, next: number) => void;
}

export class KafkaStallError extends Error {
  constructor(stuck: string[], ms: number) {
    super(
      `Kafka read made no progress for ${Math.round(ms / 1000)} s; still waiting for ${stuck.join(', ')}`,
    );
    this.name = 'KafkaStallError';
  }
}

const keyOf = (topic: string, partition: number) => `${topic}/${partition}`;

/** Reads every range of `reads` with `from < to`; resolves when all reached their end. */
export async function readRanges(
  kafka: Kafka,
  reads: PartitionRead[],
  onBatch: RangeBatchHandler,
  options: ReadRangesOptions,
): Promise<void> {
  const active = reads.filter((r) => r.from < r.to);
  if (active.length === 0) return;
  const next = new Map(active.map((r) => [keyOf(r.topic, r.partition), r.from]));
  const ends = new Map(active.map((r) => [keyOf(r.topic, r.partition), r.to]));
  const topics = [...new Set(active.map((r) => r.topic))];
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;

  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    // kafkajs decodes a whole fetch response before the first batch and keeps it until the last
    // is handled: at 64 MB (~300k records) the records outlived young collections and the old
    // generation's marking cost more CPU than the extra round trips of 8 MB fetches do.
    maxBytes: 8 * 1024 * 1024,
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxWaitTimeInMs: 200,
  });
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let lastProgress = Date.now();
  const stallTimer = setInterval(() => {
    if (Date.now() - lastProgress > stallTimeoutMs) {
      const stuck = [...next].map(([k, n]) => `${k} at ${n} of ${ends.get(k)}`);
      settle.reject(new KafkaStallError(stuck, stallTimeoutMs));
    }
  }, 1000);
  let pauseFinished: (topic: string, partition: number) => void = () => undefined;
  const advance = (key: string, position: number) => {
    const current = next.get(key);
    const end = ends.get(key);
    if (current === undefined || end === undefined || position <= current) return;
    const clamped = Math.min(position, end);
    next.set(key, clamped);
    lastProgress = Date.now();
    const [topic = '', partition = ''] = [
      key.slice(0, key.lastIndexOf('/')),
      key.slice(key.lastIndexOf('/') + 1),
    ];
    options.onPosition?.(topic, Number(partition), clamped);
    if (clamped >= end) {
      next.delete(key);
      pauseFinished(topic, Number(partition));
      if (next.size === 0) settle.resolve();
    }
  };
  // kafkajs does not call eachBatch for a batch of only control records (transaction markers);
  // its instrumentation event still reports the batch, so the position can move past them.
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    const p = event.payload as {
      topic: string;
      partition: number;
      batchSize: number;
      firstOffset: string | null;
      lastOffset: string;
    };
    if (p.batchSize !== 0 || p.firstOffset === null) return;
    const key = keyOf(p.topic, p.partition);
    const position = next.get(key);
    if (position !== undefined && Number(p.firstOffset) <= position)
      advance(key, Number(p.lastOffset) + 1);
  });
  // Positions are applied on every join, not once after run(): kafkajs rebuilds its consumer
  // group when it restarts after a retriable crash (a coordinator still loading on a fresh broker,
  // a connection cut while joining), and a fresh group forgets seeks and pauses. run() also
  // returns once such a crash is handled, before the restarted group exists, so a seek right
  // after it throws. The join event fires after the assignment and before the first fetch.
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const r of reads) {
      if (!topics.includes(r.topic)) continue;
      const position = next.get(keyOf(r.topic, r.partition));
      consumer.seek({ topic: r.topic, partition: r.partition, offset: String(position ?? r.to) });
      // Finished, or nothing to read: parked at the end and paused.
      if (position === undefined) consumer.pause([{ topic: r.topic, partitions: [r.partition] }]);
    }
  });
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload as { error: Error; restart: boolean };
    if (!restart) settle.reject(error);
  });

  try {
    pauseFinished = (topic, partition) => {
      try {
        consumer.pause([{ topic, partitions: [partition] }]);
      } catch {
        // Between a crash and its restart kafkajs has no group to pause in (it says "consumer#run
        // must be called first"); the restarted group's join pauses the partition.
      }
    };
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, heartbeat }) => {
        const key = keyOf(batch.topic, batch.partition);
        const expected = next.get(key);
        const end = ends.get(key);
        if (expected === undefined || end === undefined) return; // finished or not ours: paused
        const records: RangeRecord[] = [];
        let position = expected;
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          // Seeks apply asynchronously: drop anything before the position or at/after the end.
          if (offset < position || offset >= end) continue;
          records.push({
            offset,
            timestamp: Number(m.timestamp),
            value: m.value,
          });
          position = offset + 1;
        }
        if (records.length > 0) await onBatch(batch.topic, batch.partition, records);
        // Offsets without a data record (control records) inside a batch that covers the
        // position still count as read.
        const first = batch.firstOffset();
        if (first !== null && Number(first) <= position) {
          position = Math.max(position, Number(batch.lastOffset()) + 1);
        }
        advance(key, position);
        await heartbeat();
      },
    });
    await done;
  } finally {
    clearInterval(stallTimer);
    // disconnect waits for a running eachBatch; do not hang on one that is stuck.
    await Promise.race([
      consumer.disconnect().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
    ]);
  }
}

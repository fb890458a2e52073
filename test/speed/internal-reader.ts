// Test helper: reads an internal topic from the beginning, as the attributor would, and keeps
// every decoded record with its partition, offset and place in its frame, so a test can check what the
// repartitioner wrote and in which order. Not a test file itself.
import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { decodeInternal, type InternalRecord } from '../../workers/speed/internal-wire.ts';

/** A decoded record, where it was read: partition, offset, and place in its frame. */
export type ReadRecord = InternalRecord & {
  partition: number;
  offset: number;
  index: number;
  readAt: number;
};

export class InternalReader {
  readonly records: ReadRecord[] = [];
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.consumer = kafka.consumer({
      groupId: `test-reader-${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
  }

  async start(): Promise<this> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        const readAt = Date.now();
        decodeInternal(message.value!).forEach((record, index) =>
          this.records.push({
            ...record,
            partition,
            offset: Number(message.offset),
            index,
            readAt,
          }),
        );
      },
    });
    return this;
  }

  /** Records of one internal partition, in offset order. */
  partition(p: number): ReadRecord[] {
    return this.records
      .filter((r) => r.partition === p)
      .sort((a, b) => a.offset - b.offset || a.index - b.index);
  }

  markers(): (ReadRecord & { kind: 'marker' })[] {
    return this.records.filter((r): r is ReadRecord & { kind: 'marker' } => r.kind === 'marker');
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

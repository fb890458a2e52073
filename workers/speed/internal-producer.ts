// Produces to the internal topics in send order without ever building a record batch the
// broker refuses. kafkajs sends all of a request's messages for one partition as one record
// batch, and a batch over the topic's max.message.bytes is refused for good
// (MESSAGE_TOO_LARGE): a catch-up fetch (4 MiB per source partition) whose events all belong
// to a few hot users, or to the one partition of a small deployment, would otherwise stop the
// repartitioner. So each send is cut into requests whose per-partition batches stay below the
// limit (produce-chunks.ts), sent one after the other (one request in flight): every internal
// partition receives its records in order, and the markers, last in `messages`, after them.
import type { Admin, Producer } from 'kafkajs';
import { splitByRecordBatchSize } from '../../lib/kafka/produce-chunks.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, maxMessageBytes } from '../../lib/kafka/topics.ts';
import type { Retrying } from './dead-letters.ts';

/** Share of max.message.bytes a batch may fill: room for anything the size bound missed. */
const BATCH_FILL = 0.9;
/** Far below the broker's socket.request.max.bytes (100 MiB by default). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export interface InternalMessage {
  partition: number;
  /** One frame (internal-wire.ts). */
  value: Buffer;
}

export class InternalProducer {
  private limits = new Map<string, number>();

  constructor(
    private readonly producer: Producer,
    private readonly admin: Admin,
  ) {}

  /** Reads the topics' max.message.bytes; a later change is picked up by a restart. */
  async loadLimits(topics: string[]): Promise<void> {
    this.limits = await maxMessageBytes(this.admin, topics);
  }

  limitOf(topic: string): number {
    return this.limits.get(topic) ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Sends `messages` in order, in as many requests as the batch limit needs. */
  async send(topic: string, messages: InternalMessage[], retrying: Retrying): Promise<number> {
    const chunks = splitByRecordBatchSize(messages, {
      maxBatchBytes: Math.floor(this.limitOf(topic) * BATCH_FILL),
      maxRequestBytes: MAX_REQUEST_BYTES,
    });
    // A chunk that fails is retried alone: the ones before it are acknowledged, so order holds.
    for (const chunk of chunks) {
      await retrying(() => this.producer.send({ topic, messages: chunk, acks: -1 }));
    }
    return chunks.length;
  }
}

// Produces to the internal topics in send order without ever building a record batch the
// broker refuses, and joins the sends of one fetch's batches into one request. kafkajs sends
// all of a request's messages for one partition as one record batch, and a batch over the topic's max.message.bytes is refused for good
// (MESSAGE_TOO_LARGE): a catch-up fetch (4 MiB per source partition) whose events all belong
// to a few hot users, or to the one partition of a small deployment, would otherwise stop the
// repartitioner. So each send is cut into requests whose per-partition batches stay below the
// limit (produce-chunks.ts), sent one after the other (one request in flight): every internal
// partition receives its records in order, and the markers, last in `messages`, after them.
//
// The repartitioner handles the source partitions of one fetch at once (kafkajs'
// partitionsConsumedConcurrently) and sends with `sendTogether`: the sends made in one turn of the
// event loop leave as one request, so a fetch of 12 partitions waits for one round trip to the
// broker, not 12 one after the other (at 10k events/s those took 12-36 ms of every 50 ms cycle,
// the largest part of a provisional row's latency: issue 13). Order still holds where it matters:
// within one send, its messages keep their order; and a source partition's next batch (with its
// next send) only comes once this one's send was acknowledged. Sends of different source
// partitions were never ordered against each other.
import type { Admin, Producer, TopicMessages } from 'kafkajs';
import { splitByRecordBatchSize } from '../../lib/kafka/produce-chunks.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, maxMessageBytes } from '../../lib/kafka/topics.ts';
import type { Retrying } from './dead-letters.ts';

/** Share of max.message.bytes a batch may fill: room for anything the size bound missed. */
const BATCH_FILL = 0.9;
/** Far below the broker's socket.request.max.bytes (100 MiB by default). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/**
 * Queued bytes from which sendTogether sends at once instead of at the end of the turn: a
 * backlog's batches (megabytes each) gain nothing from waiting for each other, and sending the
 * first while the next are parsed keeps the broker busy beside the worker.
 */
const SEND_AT_ONCE_BYTES = 1024 * 1024;

export interface InternalMessage {
  partition: number;
  /** One frame (internal-wire.ts). */
  value: Buffer;
}

interface QueuedSend {
  topic: string;
  messages: InternalMessage[];
  retrying: Retrying;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class InternalProducer {
  private limits = new Map<string, number>();
  /** Sends waiting for the end of this turn of the event loop (sendTogether), and their bytes. */
  private queued: QueuedSend[] = [];
  private queuedBytes = 0;
  private turnEnd: NodeJS.Immediate | undefined;

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
    const chunks = this.chunksOf(topic, messages);
    // A chunk that fails is retried alone: the ones before it are acknowledged, so order holds.
    for (const chunk of chunks) {
      await retrying(() => this.producer.send({ topic, messages: chunk, acks: -1 }));
    }
    return chunks.length;
  }

  /**
   * Sends `messages` in order, together with the other sendTogether calls of this turn of the
   * event loop: in one request when they all fit in one, else topic by topic as `send` does.
   * Resolves once all of them are acknowledged; a failure fails all of them (each batch is then
   * replayed, as after a failed `send`). The sends come from the batches of one consumer, so the
   * first one's `retrying` (its heartbeat keeps the same group member alive) serves for all.
   */
  sendTogether(topic: string, messages: InternalMessage[], retrying: Retrying): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.queued.length === 0) this.turnEnd = setImmediate(() => void this.flushTogether());
      this.queued.push({ topic, messages, retrying, resolve, reject });
      for (const m of messages) this.queuedBytes += m.value.length;
      if (this.queuedBytes >= SEND_AT_ONCE_BYTES) void this.flushTogether();
    });
  }

  private async flushTogether(): Promise<void> {
    const sends = this.queued;
    const bytes = this.queuedBytes;
    if (sends.length === 0) return;
    clearImmediate(this.turnEnd);
    this.queued = [];
    this.queuedBytes = 0;
    const byTopic = new Map<string, InternalMessage[]>();
    for (const s of sends) byTopic.set(s.topic, (byTopic.get(s.topic) ?? []).concat(s.messages));
    const retrying = sends[0]!.retrying;
    try {
      const chunked = [...byTopic].map(([topic, messages]) => ({
        topic,
        chunks: this.chunksOf(topic, messages),
      }));
      if (chunked.every((t) => t.chunks.length <= 1) && bytes <= MAX_REQUEST_BYTES) {
        const topicMessages: TopicMessages[] = chunked
          .filter((t) => t.chunks.length === 1)
          .map((t) => ({ topic: t.topic, messages: t.chunks[0]! }));
        if (topicMessages.length > 0)
          await retrying(() => this.producer.sendBatch({ topicMessages, acks: -1 }));
      } else {
        for (const t of chunked) {
          for (const chunk of t.chunks) {
            await retrying(() => this.producer.send({ topic: t.topic, messages: chunk, acks: -1 }));
          }
        }
      }
      for (const s of sends) s.resolve();
    } catch (error) {
      for (const s of sends) s.reject(error);
    }
  }

  private chunksOf(topic: string, messages: InternalMessage[]): InternalMessage[][] {
    return splitByRecordBatchSize(messages, {
      maxBatchBytes: Math.floor(this.limitOf(topic) * BATCH_FILL),
      maxRequestBytes: MAX_REQUEST_BYTES,
    });
  }
}

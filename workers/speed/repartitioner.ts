// Stage 1 of the speed layer: reads the source topics (keyless or keyed
// anyhow), validates each message with the one event parser, and re-produces
// valid events to the internal topics on partition userPartition(user_id), so
// all events of a user meet in one attributor. Malformed messages go to the
// dead-letter store. After every batch, a watermark marker for the source
// partition is sent to every internal partition (see docs/design.md).
// At-least-once: source offsets are committed only after the produce is
// acknowledged and dead letters are stored; the attributor deduplicates.
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { parseCheckout, parseClick } from '../../lib/domain/events.ts';
import { userPartition } from '../../lib/kafka/user-partition.ts';
import { insertDeadLetters, type DeadLetter } from './dead-letters.ts';
import { encodeCheckout, encodeClick, encodeMarker, type Marker } from './internal-wire.ts';
import type { SpeedMetrics } from './metrics.ts';

export interface RepartitionerOptions {
  kafka: Kafka;
  pool: pg.Pool;
  metrics: SpeedMetrics;
  groupId: string;
  topics: { clicks: string; checkouts: string; clicksByUser: string; checkoutsByUser: string };
  partitions: number;
  idleTimeoutMs: number;
  sessionTimeoutMs: number;
  /** MAX_FUTURE_SKEW_MS: events further ahead of this process's clock are dead letters. */
  maxFutureSkewMs: number;
  /**
   * Largest event time known to have been read anywhere (the attributor's markers), so a
   * worker whose own source partitions are all empty can still stamp them (see checkIdle).
   */
  knownMaxEventTime?: () => number;
  log: (msg: string) => void;
}

interface SourceProgress {
  maxEventTime: number | null;
  lastDataAt: number;
  nextOffset: bigint | null;
  idleSentAt: number | null;
}

export class Repartitioner {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly progress = new Map<string, SourceProgress>();
  private assigned: { topic: string; partition: number }[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private idleCheckRunning = false;

  constructor(private readonly o: RepartitionerOptions) {
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 100,
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(o.sessionTimeoutMs / 3)),
    });
    // One request in flight keeps each internal partition in send order, so a
    // marker never overtakes the records it speaks for.
    this.producer = o.kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.admin = o.kafka.admin();
  }

  /** Logical source name (clicks/checkouts) whatever the topics are called. */
  private sourceId(topic: string, partition: number): string {
    return `${topic === this.o.topics.clicks ? 'clicks' : 'checkouts'}/${partition}`;
  }

  async start(): Promise<void> {
    await Promise.all([this.consumer.connect(), this.producer.connect(), this.admin.connect()]);
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        (partitions as number[]).map((partition) => ({ topic, partition })),
      );
      const now = Date.now();
      for (const { topic, partition } of this.assigned) {
        const id = this.sourceId(topic, partition);
        if (!this.progress.has(id)) {
          this.progress.set(id, {
            maxEventTime: null,
            lastDataAt: now,
            nextOffset: null,
            idleSentAt: null,
          });
        }
      }
    });
    await this.consumer.subscribe({
      topics: [this.o.topics.clicks, this.o.topics.checkouts],
      fromBeginning: true,
    });
    await this.consumer.run({ eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
    this.idleTimer = setInterval(() => void this.checkIdle(), Math.min(1000, this.o.idleTimeoutMs));
  }

  async stop(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    await this.consumer.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  private async onBatch({
    batch,
    resolveOffset,
    commitOffsetsIfNecessary,
    heartbeat,
  }: EachBatchPayload) {
    if (batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const isClicks = topic === this.o.topics.clicks;
    const source = this.sourceId(topic, partition);
    const progress = this.progress.get(source) ?? {
      maxEventTime: null,
      lastDataAt: Date.now(),
      nextOffset: null,
      idleSentAt: null,
    };
    const out: { partition: number; value: string }[] = [];
    const dead: DeadLetter[] = [];
    let maxTime = progress.maxEventTime ?? Number.NEGATIVE_INFINITY;

    for (const message of batch.messages) {
      // A tombstone (null value) is parsed as null, so its reason says so; stored as no bytes.
      const raw = message.value ?? Buffer.alloc(0);
      const producedAt = Number(message.timestamp);
      const read = { now: Date.now(), maxFutureSkewMs: this.o.maxFutureSkewMs };
      const parsed = isClicks
        ? parseClick(message.value, read)
        : parseCheckout(message.value, read);
      if (!parsed.ok) {
        dead.push({
          topic,
          partition,
          offset: message.offset,
          raw,
          reason: parsed.reason,
          kind: parsed.kind,
        });
        continue;
      }
      const event = parsed.event;
      if (event.time > maxTime) maxTime = event.time;
      const target = userPartition(event.userId, this.o.partitions);
      const meta = { source, producedAt };
      out.push({
        partition: target,
        value: isClicks
          ? encodeClick(event as Parameters<typeof encodeClick>[0], meta)
          : encodeCheckout(event as Parameters<typeof encodeCheckout>[0], meta),
      });
    }

    progress.maxEventTime = Number.isFinite(maxTime) ? maxTime : null;
    progress.lastDataAt = Date.now();
    progress.idleSentAt = null;
    const marker: Marker = { source, maxEventTime: progress.maxEventTime, idle: false };
    const markerValue = encodeMarker(marker);
    for (let p = 0; p < this.o.partitions; p++) out.push({ partition: p, value: markerValue });

    if (dead.length > 0) {
      await insertDeadLetters(this.o.pool, dead);
      for (const d of dead) this.o.metrics.deadLetters.inc({ topic, reason: d.kind });
    }
    await this.producer.send({
      topic: isClicks ? this.o.topics.clicksByUser : this.o.topics.checkoutsByUser,
      messages: out,
      acks: -1,
    });
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    await heartbeat();
    progress.nextOffset = BigInt(batch.lastOffset()) + 1n;
    this.progress.set(source, progress);
    this.o.metrics.eventsConsumed.inc({ topic }, batch.messages.length);
    this.o.metrics.consumerLag.set(
      { topic, partition: String(partition) },
      Number(batch.offsetLag()),
    );
  }

  /**
   * A caught-up, quiet source partition would hold the watermark back forever. Instead of
   * dropping it from the minimum (racy: its next data may already be on the way), its marker
   * is stamped with G, the largest event time this repartitioner had read from any source
   * before it checked that the partition is caught up. Anything appended to the partition
   * after that check was produced after every event behind G, so if on time it is at or above
   * G - L: the stamp can never make an on-time event late. G also takes in the largest event
   * time the attributor has seen in markers (read earlier, so produced earlier: still safe).
   * Re-sent while the quiet lasts, so the watermark keeps up with the other sources.
   */
  private async checkIdle(): Promise<void> {
    if (this.idleCheckRunning || this.assigned.length === 0) return;
    this.idleCheckRunning = true;
    try {
      const now = Date.now();
      const candidates = this.assigned.filter(({ topic, partition }) => {
        const p = this.progress.get(this.sourceId(topic, partition));
        if (!p || now - p.lastDataAt < this.o.idleTimeoutMs) return false;
        // Re-announced each idle interval with a fresh stamp, so the watermark keeps moving.
        return p.idleSentAt === null || now - p.idleSentAt >= this.o.idleTimeoutMs;
      });
      if (candidates.length === 0) return;
      // G must be read before the end offsets (see above).
      let stamp = this.o.knownMaxEventTime?.() ?? Number.NEGATIVE_INFINITY;
      for (const p of this.progress.values()) {
        if (p.maxEventTime !== null && p.maxEventTime > stamp) stamp = p.maxEventTime;
      }
      const topics = [...new Set(candidates.map((c) => c.topic))];
      const [ends, committed] = await Promise.all([
        Promise.all(topics.map(async (t) => [t, await this.admin.fetchTopicOffsets(t)] as const)),
        this.admin.fetchOffsets({ groupId: this.o.groupId, topics }),
      ]);
      const endOf = new Map(
        ends.flatMap(([t, parts]) => parts.map((p) => [`${t}/${p.partition}`, BigInt(p.high)])),
      );
      const committedOf = new Map(
        committed.flatMap((t) =>
          t.partitions.map((p) => [`${t.topic}/${p.partition}`, BigInt(p.offset)]),
        ),
      );
      const byTopic = new Map<string, { partition: number; value: string }[]>();
      for (const { topic, partition } of candidates) {
        const source = this.sourceId(topic, partition);
        const p = this.progress.get(source)!;
        const end = endOf.get(`${topic}/${partition}`) ?? 0n;
        const consumed = p.nextOffset ?? committedOf.get(`${topic}/${partition}`) ?? -1n;
        // Data may have arrived while we were asking the broker.
        const quiet = Date.now() - p.lastDataAt >= this.o.idleTimeoutMs;
        const caughtUp = quiet && (end === 0n || consumed >= end);
        this.o.metrics.consumerLag.set(
          { topic, partition: String(partition) },
          Number(end - (consumed < 0n ? 0n : consumed)),
        );
        if (!caughtUp) continue;
        const announced = Math.max(p.maxEventTime ?? Number.NEGATIVE_INFINITY, stamp);
        const value = encodeMarker({
          source,
          maxEventTime: Number.isFinite(announced) ? announced : null,
          idle: true,
        });
        const target =
          topic === this.o.topics.clicks
            ? this.o.topics.clicksByUser
            : this.o.topics.checkoutsByUser;
        const list = byTopic.get(target) ?? [];
        for (let i = 0; i < this.o.partitions; i++) list.push({ partition: i, value });
        byTopic.set(target, list);
        p.idleSentAt = now;
      }
      for (const [topic, messages] of byTopic) {
        await this.producer.send({ topic, messages, acks: -1 });
      }
    } catch (error) {
      this.o.log(
        `idle check failed (will retry): ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.idleCheckRunning = false;
    }
  }
}

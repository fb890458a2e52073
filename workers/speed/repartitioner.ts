// Stage 1 of the speed layer: reads the source topics (keyless or keyed
// anyhow), validates each message with the one event parser, and re-produces
// valid events to the internal topics on partition userPartition(user_id), so
// all events of a user meet in one attributor. Malformed messages go to the
// dead-letter store. After every batch, a watermark marker for the source
// partition is sent to every internal partition (see docs/design.md).
// At-least-once: source offsets are committed only after the produce is
// acknowledged and dead letters are stored; the attributor deduplicates.
// Transient failures (broker or database away) are retried here, with backoff, for as long
// as they last; anything else stops the worker loudly (onFatal): never a silent stall.
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { PrismaClient } from '../../lib/db/client.ts';
import { parseCheckout, parseClick, type Checkout, type Click } from '../../lib/domain/events.ts';
import { originTag } from '../../lib/domain/click-origin.ts';
import { errorKind } from '../../lib/faults/error-kinds.ts';
import { retryTransient } from '../../lib/faults/retry.ts';
import { isGroupRejoin, recoverFromCrashes } from '../../lib/kafka/consumer-restart.ts';
import { createHighWatermarkAdmin } from '../../lib/kafka/high-watermarks.ts';
import { RejoinLatch } from '../../lib/kafka/rejoin-latch.ts';
import { userPartition } from '../../lib/kafka/user-partition.ts';
import { storeDeadLetters, type DeadLetter, type Retrying } from './dead-letters.ts';
import type { Dependency, DependencyHealth } from './dependency-health.ts';
import { FrameBatcher } from './frame-batcher.ts';
import { InternalProducer } from './internal-producer.ts';
import { IdleStamper, type SourceProgress } from './idle-stamper.ts';
import type { SpeedMetrics } from './metrics.ts';
import { groupHeartbeatIntervalMs } from '../../lib/kafka/group-heartbeat.ts';

export interface RepartitionerOptions {
  kafka: Kafka;
  db: PrismaClient;
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
   * worker whose own source partitions are all empty can still stamp them (idle-stamper.ts).
   */
  knownMaxEventTime?: () => number;
  /** Transient failures being retried, for /healthz and clickstream_transient_errors_total. */
  health?: DependencyHealth;
  /**
   * A bug (or data the stores refuse) stopped the repartitioner. Default: log and exit the
   * process with status 1, so its supervisor restarts it and recovery redoes the work.
   */
  onFatal?: (error: unknown) => void;
  log: (msg: string) => void;
}

const exitProcess = () => process.exit(1);

/**
 * Source partitions whose batches are handled at once (at most one batch per partition at a time,
 * kafkajs' guarantee): more than a worker is assigned in any deployment we know of, so every batch
 * of a fetch joins the same request to the internal topics.
 */
const CONCURRENT_PARTITIONS = 64;

export class Repartitioner {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly admin: Admin;
  /** Reads high watermarks (read_uncommitted), for the idle check. */
  private readonly highWatermarks: Admin;
  private readonly internal: InternalProducer;
  private readonly progress = new Map<string, SourceProgress>();
  /** `${topic}/${partition}` → the consumer's position: after the last record handed to it. */
  private readonly positions = new Map<string, bigint>();
  private assigned: { topic: string; partition: number }[] = [];
  private readonly idle: IdleStamper;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private failed = false;
  /** The internal topics' message size limits (frames are cut to them), read at start. */
  private limitsLoaded: Promise<void> = Promise.resolve();
  /** Fails the rest of a fetch once the group asked this member to rejoin. */
  private readonly rejoin = new RejoinLatch();

  constructor(private readonly o: RepartitionerOptions) {
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 100,
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: groupHeartbeatIntervalMs(o.sessionTimeoutMs),
    });
    // One request in flight keeps each internal partition in send order, so a
    // marker never overtakes the records it speaks for.
    this.producer = o.kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.admin = o.kafka.admin();
    this.highWatermarks = createHighWatermarkAdmin(o.kafka);
    this.internal = new InternalProducer(this.producer, this.admin);
    this.idle = new IdleStamper({
      ...o,
      admin: this.admin,
      highWatermarks: this.highWatermarks,
      internal: this.internal,
      progress: this.progress,
      positions: this.positions,
      assigned: () => this.assigned,
      sourceId: (topic, partition) => this.sourceId(topic, partition),
      onFatal: (error, context) => this.fatal(error, context),
      stopping: this.stopping.signal,
    });
  }

  /** Logical source name (clicks/checkouts) whatever the topics are called. */
  private sourceId(topic: string, partition: number): string {
    return `${topic === this.o.topics.clicks ? 'clicks' : 'checkouts'}/${partition}`;
  }

  async start(): Promise<void> {
    await Promise.all([
      this.producer.connect(),
      this.admin.connect(),
      this.highWatermarks.connect(),
    ]);
    // Read while the consumer joins its group; the first batch waits for it (onBatch).
    this.limitsLoaded = this.internal.loadLimits([
      this.o.topics.clicksByUser,
      this.o.topics.checkoutsByUser,
    ]);
    this.limitsLoaded.catch(() => undefined); // awaited below, after the join has started
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.rejoin.joined();
      this.assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        (partitions as number[]).map((partition) => ({ topic, partition })),
      );
      const mine = new Set(this.assigned.map(({ topic, partition }) => `${topic}/${partition}`));
      for (const key of this.positions.keys()) if (!mine.has(key)) this.positions.delete(key);
      const now = Date.now();
      for (const { topic, partition } of this.assigned) {
        const id = this.sourceId(topic, partition);
        if (!this.progress.has(id)) {
          this.progress.set(id, { maxEventTime: null, lastDataAt: now, idleSentAt: null });
        }
      }
    });
    // Every batch the consumer is handed, including those kafkajs never passes to eachBatch
    // because they hold only transaction markers or aborted records.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const next = BigInt(payload.lastOffset) + 1n;
      const key = `${payload.topic}/${payload.partition}`;
      if (next > (this.positions.get(key) ?? -1n)) this.positions.set(key, next);
    });
    recoverFromCrashes({
      consumer: this.consumer,
      name: 'repartitioner consumer',
      run: () => this.runConsumer(),
      onFatal: (error, context) => this.fatal(error, context),
      onTransient: (_error, description) =>
        this.o.health?.retrying('kafka', 'repartitioner consumer', description),
      onRecovered: () => this.o.health?.recovered('kafka', 'repartitioner consumer'),
      signal: this.stopping.signal,
      log: this.o.log,
    });
    await Promise.all([this.limitsLoaded, this.runConsumer()]);
    this.idleTimer = setInterval(
      () => void this.idle.check(),
      Math.min(1000, this.o.idleTimeoutMs),
    );
  }

  private async runConsumer(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [this.o.topics.clicks, this.o.topics.checkouts],
      fromBeginning: true,
    });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      // The batches of one fetch at once, their sends joined into one request (sendTogether).
      partitionsConsumedConcurrently: CONCURRENT_PARTITIONS,
      eachBatch: async (payload) => {
        try {
          this.rejoin.check();
          await this.onBatch({ ...payload, heartbeat: this.rejoin.heartbeat(payload.heartbeat) });
        } catch (error) {
          this.rejoin.note(error);
          // Transient errors left here are the group's (a rebalance): kafkajs rejoins.
          if (errorKind(error) !== 'transient' && !isGroupRejoin(error)) {
            const { topic, partition } = payload.batch;
            this.fatal(error, `batch of ${topic}/${partition} failed`);
          }
          throw error;
        }
      },
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('repartitioner stopping'));
    if (this.idleTimer) clearInterval(this.idleTimer);
    await this.consumer.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    await this.highWatermarks.disconnect().catch(() => undefined);
  }

  private fatal(error: unknown, context: string): void {
    if (this.stopping.signal.aborted || this.failed) return;
    this.failed = true;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.o.log(`repartitioner cannot go on: ${context}: ${detail}`);
    (this.o.onFatal ?? exitProcess)(error);
  }

  /**
   * Retries `operation` on `dependency` while it fails transiently, reporting to the health
   * check. With a heartbeat (inside a batch), the group keeps this member while it waits, and
   * the wait ends if the group asks it to rejoin (the batch is then replayed, by whoever).
   */
  private retrying(
    dependency: Dependency,
    operation: string,
    heartbeat?: () => Promise<void>,
  ): Retrying {
    return async (run) => {
      const rejoin = new AbortController();
      const result = await retryTransient(run, {
        what: operation,
        signal: AbortSignal.any([this.stopping.signal, rejoin.signal]),
        onTransient: (_error, _attempt, description) => {
          this.o.health?.retrying(dependency, operation, description);
          heartbeat?.().catch((e: unknown) => {
            if (isGroupRejoin(e)) rejoin.abort(e);
          });
        },
      });
      this.o.health?.recovered(dependency, operation);
      return result;
    };
  }

  private async onBatch({
    batch,
    resolveOffset,
    commitOffsetsIfNecessary,
    heartbeat,
  }: EachBatchPayload) {
    if (batch.messages.length === 0) return;
    await this.limitsLoaded;
    const { topic, partition } = batch;
    const isClicks = topic === this.o.topics.clicks;
    const target = isClicks ? this.o.topics.clicksByUser : this.o.topics.checkoutsByUser;
    const source = this.sourceId(topic, partition);
    const progress = this.progress.get(source) ?? {
      maxEventTime: null,
      lastDataAt: Date.now(),
      idleSentAt: null,
    };
    const frames = new FrameBatcher(source, this.internal.limitOf(target));
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
      // The tag is read once, even if the frame is cut and the record written again.
      const tag = isClicks ? originTag((event as Click).url) : '';
      const added = frames.add(
        userPartition(event.userId, this.o.partitions),
        isClicks
          ? (frame) => frame.click(event as Click, producedAt, tag)
          : (frame) => frame.checkout(event as Checkout, producedAt),
      );
      // Re-encoded, a record near the source topic's size limit can outgrow the internal
      // topic's: it could never be written, and retrying it would stop the partition for good.
      if (added === 'too_large') {
        dead.push({
          topic,
          partition,
          offset: message.offset,
          raw,
          reason: `too_large: over max.message.bytes ${this.internal.limitOf(target)} of ${target} once re-encoded`,
          kind: 'too_large',
        });
        continue;
      }
      if (event.time > maxTime) maxTime = event.time;
    }

    progress.maxEventTime = Number.isFinite(maxTime) ? maxTime : null;
    progress.lastDataAt = Date.now();
    progress.idleSentAt = null;
    // Each partition's marker closes its frame: it never overtakes the records it speaks for.
    // It also says whether the batch reached the partition's end (the high watermark the fetch
    // returned): once every source of a partition has, it has no backlog left to catch up with,
    // and the attributor writes the provisional rows it held for the catch-up at once.
    const readToEnd = batch.offsetLag() === '0';
    for (let p = 0; p < this.o.partitions; p++) {
      frames.add(p, (frame) => frame.marker(progress.maxEventTime, false, readToEnd));
    }
    const out = frames.finish();

    if (dead.length > 0) {
      await storeDeadLetters(
        this.o.db,
        dead,
        this.retrying('postgres', 'dead-letter insert', heartbeat),
      );
      for (const d of dead) this.o.metrics.deadLetters.inc({ topic, reason: d.kind });
    }
    await this.internal.sendTogether(
      target,
      out,
      this.retrying('kafka', 'internal produce', heartbeat),
    );
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    await heartbeat();
    this.progress.set(source, progress);
    this.o.metrics.eventsConsumed.inc({ topic }, batch.messages.length);
    this.o.metrics.consumerLag.set(
      { topic, partition: String(partition) },
      Number(batch.offsetLag()),
    );
  }
}

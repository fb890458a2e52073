// Stage 2 of the speed layer: a consumer group over the internal topics with
// the co-partitioning assigner, one AttributionPartition per assigned
// partition. Rows are flushed as soon as a batch yields them and the previous
// flush is done (at most one flush every FLUSH_SPACING_MS; rows that come during a flush go in
// the next, right after it), and at least every SINK_FLUSH_INTERVAL_MS; every
// SNAPSHOT_INTERVAL_MS a flush also captures each partition's encoded state and
// next offsets, written only after that flush's rows are committed, and only
// then are those offsets committed to Kafka. On assignment a partition resumes
// from its snapshot (state + seek), so a crash at any moment replays from a
// consistent point (docs/design.md, "Crash safety").
//
// Errors have kinds (lib/faults): a transient database or broker failure is
// retried with backoff while the consumer waits (and heartbeats), shown in
// /healthz; a row the database refuses is dead-lettered; anything else is a bug:
// the process exits without a snapshot, and a restart replays from the last one.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type pg from 'pg';
import type { PrismaClient } from '../../lib/db/client.ts';
import { describeError, errorKind } from '../../lib/faults/error-kinds.ts';
import { retryTransient } from '../../lib/faults/retry.ts';
import { copartitionAssigner } from '../../lib/kafka/copartition.ts';
import { userPartition } from '../../lib/kafka/user-partition.ts';
import type { TopicNames } from '../../lib/kafka/topics.ts';
import type { DependencyHealth } from './dependency-health.ts';
import { decodeInternal } from './internal-wire.ts';
import type { SpeedMetrics } from './metrics.ts';
import {
  PartitionRuntime,
  encodeCaptured,
  expectedSources,
  type CapturedSnapshot,
} from './partition-runtime.ts';
import { ProvisionalHold, type PartitionProgress } from './provisional-hold.ts';
import { SinkWriter, pendingRowKey, type PendingRows } from './sink-writer.ts';
import { loadSnapshot, saveSnapshots } from './snapshots.ts';
import type { UserDirectory } from './user-directory.ts';
import { groupHeartbeatIntervalMs } from '../../lib/kafka/group-heartbeat.ts';
import { RejoinLatch } from '../../lib/kafka/rejoin-latch.ts';

export interface AttributorOptions {
  kafka: Kafka;
  /** Dead letters and the sink upsert go through Prisma Client. */
  db: PrismaClient;
  /** The pool `db` runs on: the snapshots use it directly (snapshots.ts says why). */
  pool: pg.Pool;
  metrics: SpeedMetrics;
  users: UserDirectory;
  groupId: string;
  topics: TopicNames;
  /** Partitions of each source topic: the sources that hold the watermark. */
  sourcePartitions: number;
  allowedLatenessMs: number;
  flushIntervalMs: number;
  snapshotIntervalMs: number;
  sessionTimeoutMs: number;
  /** Event times past the clock plus this are refused upstream; a watermark past it is poisoned. */
  maxFutureSkewMs: number;
  health: DependencyHealth;
  /** Rows waiting for the sink before the consumer stops taking batches (backpressure). */
  maxPendingRows?: number;
  /**
   * How long a partition's slowest source may stand still before its held provisional rows are
   * written (provisional-hold.ts): IDLE_TIMEOUT_MS, as long as an idle source may hold the
   * watermark back.
   */
  provisionalHoldMs: number;
  log: (msg: string) => void;
}

/** Work waiting and no batch for this long: the loop is stuck, /healthz says so. */
const STALL_AFTER_MS = 60_000;
/** How long a stopping worker keeps retrying its last flush before it gives up on it. */
const STOP_FLUSH_GRACE_MS = 10_000;
const DEFAULT_MAX_PENDING_ROWS = 200_000;
/** The least time between the starts of two flushes that rows asked for (flushSoon). */
const FLUSH_SPACING_MS = 10;
/**
 * Pending rows from which a due flush starts at once rather than at the end of the turn: a
 * backlog's fetch holds many large batches, and writing the first ones' rows while the next are
 * handled keeps PostgreSQL busy beside the worker (a live fetch yields a few hundred rows).
 */
const FLUSH_AT_ONCE_ROWS = 2_000;

/** See provisional-hold.ts: how far ahead of its partition's slowest source a checkout is held, */
const PROVISIONAL_HOLD_LEAD_MS = 30_000;
/** the longest any row is held (a catch-up of a few million events fits), */
const PROVISIONAL_HOLD_CAP_MS = 60_000;
/** and how many rows may wait (a few hundred bytes each). */
const MAX_HELD_PROVISIONAL_ROWS = 200_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Attributor {
  private readonly consumer: Consumer;
  private readonly partitions = new Map<number, PartitionRuntime>();
  private readonly loading = new Map<number, Promise<PartitionRuntime>>();
  /** Keyed by checkout and user: one checkout id under two users is two rows (sink.ts). */
  private pendingRows: PendingRows = new Map();
  /** Provisional rows held while their partition catches up (not counted as pending: see file). */
  private readonly hold: ProvisionalHold;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private flushRunning = false;
  /** Rows came while a flush ran, or too soon after one started: flush again when it ends. */
  private flushAgain = false;
  private flushSpacingTimer: NodeJS.Timeout | undefined;
  /** A flush due now, left for the end of this turn of the event loop (flushSoon). */
  private flushAtTurnEnd: NodeJS.Immediate | undefined;
  private lastFlushStartedAt = 0;
  /** A sink write is failing transiently: batches wait (and heartbeat) until it recovers. */
  /** Aborted when a stopping worker gives up retrying. */
  private readonly abort = new AbortController();
  private readonly sink: SinkWriter;
  /** Partitions whose restored watermark was ahead of the clock, for /stats. */
  private readonly watermarkRepairs: { partition: number; sources: string[]; at: number }[] = [];
  private droppedMarkers = 0;
  /** This worker's member id in the consumer group, to notice that it had left it. */
  private memberId: string | undefined;
  private snapshotInFlight: Promise<void> | undefined;
  private lastSnapshotCostMs = 0;
  /** Cost of the last snapshot made of deltas only: what spaces the snapshots (see flush). */
  private lastDeltaRoundCostMs = 0;
  private lastSnapshotAt = 0;
  private lastProgressAt = Date.now();
  private finalRows = 0;
  /** Messages left behind the last batch, per internal topic-partition. */
  private readonly lag = new Map<string, number>();
  /** Fails the rest of a fetch once the group asked this member to rejoin. */
  private readonly rejoin = new RejoinLatch();
  private failed: Error | undefined;
  private stopped = false;

  constructor(private readonly o: AttributorOptions) {
    this.hold = new ProvisionalHold({
      leadMs: PROVISIONAL_HOLD_LEAD_MS,
      finalAfterMs: o.allowedLatenessMs,
      maxHoldMs: o.provisionalHoldMs,
      capMs: PROVISIONAL_HOLD_CAP_MS,
      maxHeld: MAX_HELD_PROVISIONAL_ROWS,
    });
    this.sink = new SinkWriter({
      db: o.db,
      health: o.health,
      metrics: o.metrics,
      signal: this.abort.signal,
      log: o.log,
    });
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      partitionAssigners: [copartitionAssigner(() => [...this.partitions.keys()])],
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 50,
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: groupHeartbeatIntervalMs(o.sessionTimeoutMs),
    });
  }

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts the consumer itself after a retriable error; after any other it stays
      // stopped, which must never happen silently: exit, and a restart resumes from a snapshot.
      if (payload.restart) {
        this.o.health.retrying('kafka', 'attributor consumer', describeError(payload.error));
      } else {
        this.fail(payload.error);
      }
    });
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.rejoin.joined();
      this.o.health.recovered('kafka', 'attributor consumer');
      const assigned = new Set(payload.memberAssignment[this.o.topics.clicksByUser] ?? []);
      // A new member id means this worker was out of the group for a while (session expired,
      // broker restarted, consumer restarted): another worker may have processed its partitions
      // meanwhile, so the state in memory is stale. Reload every partition from its snapshot.
      const rejoined = this.memberId !== undefined && this.memberId !== payload.memberId;
      this.memberId = payload.memberId;
      if (rejoined && this.partitions.size > 0) {
        this.o.log(
          `rejoined the group as a new member: reloading ${this.partitions.size} partition(s) from their snapshots`,
        );
        this.partitions.clear();
      }
      for (const p of [...this.partitions.keys()]) {
        if (!assigned.has(p)) {
          this.partitions.delete(p);
          this.o.log(`partition ${p} moved to another worker`);
        }
      }
      this.hold.dropUnless((p) => this.partitions.has(p));
      const added = [...assigned].filter((p) => !this.partitions.has(p));
      if (added.length === 0) return;
      const started = performance.now();
      Promise.all(added.map((p) => this.runtimeFor(p))).then(
        () =>
          this.o.log(
            `restored ${added.length} partition(s) in ${Math.round(performance.now() - started)} ms`,
          ),
        (error: unknown) => this.fail(error),
      );
    });
    await this.consumer.subscribe({
      topics: [this.o.topics.clicksByUser, this.o.topics.checkoutsByUser],
      fromBeginning: true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.flushTimer = setInterval(() => this.scheduleFlush(), this.o.flushIntervalMs);
  }

  /**
   * Flushes rows and a final snapshot while still in the group (so its offsets commit), then
   * leaves. After a failure the snapshot is skipped: the state may hold effects whose rows were
   * not written, and a restart replays them from the last good snapshot instead.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.flushSpacingTimer) clearTimeout(this.flushSpacingTimer);
    if (this.flushAtTurnEnd) clearImmediate(this.flushAtTurnEnd);
    const giveUp = setTimeout(
      () => this.abort.abort(new Error('stopping: gave up retrying')),
      STOP_FLUSH_GRACE_MS,
    );
    // Stop fetching but stay in the group: a commit after consumer.stop() is refused. A batch
    // still running finishes after the snapshot; its effects are replayed by the next owner.
    this.consumer.pause([
      { topic: this.o.topics.clicksByUser },
      { topic: this.o.topics.checkoutsByUser },
    ]);
    await this.flushing;
    await this.snapshotInFlight?.catch(() => undefined);
    await this.flush(this.failed === undefined).catch((error: unknown) =>
      this.o.log(
        `last flush failed (${describeError(error)}): no snapshot taken, a restart replays from the last one`,
      ),
    );
    clearTimeout(giveUp);
    await this.consumer.disconnect().catch(() => undefined);
  }

  /** The partition's runtime, loading its snapshot and seeking to its offsets the first time. */
  private runtimeFor(partition: number): Promise<PartitionRuntime> {
    const ready = this.partitions.get(partition);
    if (ready) return Promise.resolve(ready);
    let loading = this.loading.get(partition);
    if (!loading) {
      loading = (async () => {
        const snapshot = await this.retryPostgres('snapshot load', () =>
          loadSnapshot(this.o.pool, this.o.groupId, partition),
        );
        const runtime = snapshot
          ? PartitionRuntime.fromSnapshot(partition, snapshot.base, snapshot.deltas)
          : PartitionRuntime.fresh(
              partition,
              expectedSources(this.o.sourcePartitions),
              this.o.allowedLatenessMs,
            );
        if (snapshot) {
          runtime.nextOffsets = { ...snapshot.offsets };
          for (const [topic, offset] of Object.entries(snapshot.offsets)) {
            this.consumer.seek({ topic, partition, offset });
          }
          this.o.log(
            `partition ${partition}: resumed from snapshot (${snapshot.baseBytes} bytes and ${snapshot.deltas.length} delta(s), ${snapshot.sizeBytes} bytes in all)`,
          );
          this.repairWatermark(runtime);
        }
        this.partitions.set(partition, runtime);
        this.loading.delete(partition);
        return runtime;
      })();
      this.loading.set(partition, loading);
    }
    return loading;
  }

  /**
   * A snapshot written before far-future events were refused may hold a watermark past the
   * clock, which would turn every later event late. Noticed on restore: the sources that
   * reported such times are forgotten until they report again (WatermarkTracker).
   */
  private repairWatermark(runtime: PartitionRuntime): void {
    const before = runtime.watermark;
    const forgotten = runtime.forgetProgressAfter(Date.now() + this.o.maxFutureSkewMs);
    if (forgotten.length === 0) return;
    this.watermarkRepairs.push({
      partition: runtime.partition,
      sources: forgotten,
      at: Date.now(),
    });
    this.o.log(
      `partition ${runtime.partition}: restored watermark ${new Date(before).toISOString()} is ahead of the clock; ` +
        `forgot the progress of ${forgotten.join(', ')} until they report again`,
    );
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    try {
      this.rejoin.check();
      await this.processBatch({ ...payload, heartbeat: this.rejoin.heartbeat(payload.heartbeat) });
    } catch (error) {
      this.rejoin.note(error);
      // A transient error goes back to kafkajs, which retries the batch; a bug must not be
      // retried into a loop: exit, and a restart replays from the last snapshot.
      if (errorKind(error) !== 'transient') this.fail(error);
      throw error;
    }
  }

  private async processBatch({ batch, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    if (this.failed) throw this.failed;
    if (batch.messages.length === 0) return;
    // Backpressure: while the sink is down or far behind, take no more work (memory stays
    // bounded), but keep heartbeating so the group does not move the partitions away.
    while (this.sink.down || this.pendingRows.size >= this.maxPendingRows) {
      if (isStale() || this.stopped) return;
      await sleep(this.sink.down ? 500 : 20);
      await heartbeat();
    }
    const runtime = await this.withHeartbeats(this.runtimeFor(batch.partition), heartbeat);
    // After a seek, Kafka may hand back messages the snapshot already holds.
    const expectedNext = runtime.nextOffsets[batch.topic];
    const first = expectedNext === undefined ? undefined : BigInt(expectedNext);
    const frames = batch.messages
      .filter((m) => first === undefined || BigInt(m.offset) >= first)
      .map((m) => decodeInternal(m.value ?? Buffer.alloc(0)));
    // Names are looked up before the records are processed, so processing stays synchronous and
    // a snapshot can never see half a batch.
    const userIds: number[] = [];
    for (const records of frames)
      for (const r of records) if (r.kind === 'checkout') userIds.push(r.checkout.userId);
    await this.withHeartbeats(this.o.users.prefetch(userIds), heartbeat);
    // The group asked for a rejoin while this batch waited: the partition may be another's now.
    this.rejoin.check();
    if (isStale() || this.partitions.get(batch.partition) !== runtime) return;

    const markerLimit = Date.now() + this.o.maxFutureSkewMs;
    for (const records of frames) {
      for (const r of records) {
        if (r.kind === 'click') runtime.onClick(r.click, r.meta);
        else if (r.kind === 'checkout')
          runtime.onCheckout(r.checkout, r.meta, this.o.users.nameOf(r.checkout.userId));
        else if ((r.marker.maxEventTime ?? 0) > markerLimit) {
          // No valid event can be this far ahead (the parser refuses it): a marker claiming one
          // would poison the watermark. Only a repartitioner of an older version could send it.
          if (this.droppedMarkers++ === 0) {
            this.o.log(`dropped a marker from ${r.marker.source} dated past the clock`);
          }
        } else runtime.onMarker(r.marker);
      }
    }
    runtime.nextOffsets[batch.topic] = (BigInt(batch.lastOffset()) + 1n).toString();
    this.collect(runtime);
    if (this.pendingRows.size > 0) this.flushSoon();
    this.lastProgressAt = Date.now();
    const lag = Number(batch.offsetLag());
    this.lag.set(`${batch.topic}/${batch.partition}`, lag);
    this.o.metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, lag);
    await heartbeat();
  }

  /** The newest event time of a partition's slowest source: its watermark plus the lateness. */
  private slowestSource(runtime: PartitionRuntime): number {
    return runtime.watermark + this.o.allowedLatenessMs;
  }

  /** What the provisional hold asks of a partition. */
  private progressOf(runtime: PartitionRuntime): PartitionProgress {
    return {
      slowest: this.slowestSource(runtime),
      sourceAdvances: runtime.sourceAdvances,
      caughtUp: runtime.caughtUp,
    };
  }

  private get maxPendingRows(): number {
    return this.o.maxPendingRows ?? DEFAULT_MAX_PENDING_ROWS;
  }

  /**
   * Awaits `work` (which may be retrying a dependency) while heartbeating as often as the group's
   * members do: a member that joins learns of its rebalance only from a heartbeat's answer, so
   * a first batch waiting on a snapshot or the user names held a joining worker back (by 2 s).
   */
  private async withHeartbeats<T>(work: Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
    // A rejected heartbeat (the group is rebalancing) is noted by the latch, which the batch
    // checks after the wait; kafkajs then rejoins.
    const timer = setInterval(
      () => void heartbeat().catch(() => undefined),
      groupHeartbeatIntervalMs(this.o.sessionTimeoutMs),
    );
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  /** Runs a Postgres operation, retrying transient failures; reported to /healthz meanwhile. */
  private async retryPostgres<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const result = await retryTransient(run, {
      what: operation,
      signal: this.abort.signal,
      onTransient: (_error, _attempt, description) =>
        this.o.health.retrying('postgres', operation, description),
    });
    this.o.health.recovered('postgres', operation);
    return result;
  }

  /** Moves a runtime's new rows and counters into the pending flush. */
  private collect(runtime: PartitionRuntime): void {
    const out = runtime.drain();
    const progress = this.progressOf(runtime);
    const now = Date.now();
    for (const { row, producedAt } of out.rows) {
      const key = pendingRowKey(row);
      const pending = { row, producedAt };
      if (!this.hold.offer(key, pending, progress, now)) this.pendingRows.set(key, pending);
    }
    // Written as dead letters in the flush that writes the rows beside them, before the snapshot.
    for (const { row, ownerUserId } of out.conflicts)
      this.pendingRows.set(pendingRowKey(row), { row, producedAt: 0, conflictOwner: ownerUserId });
    const m = this.o.metrics;
    this.finalRows += out.attributed + out.unattributed;
    if (out.attributed) m.checkouts.inc({ outcome: 'attributed' }, out.attributed);
    if (out.unattributed) m.checkouts.inc({ outcome: 'unattributed' }, out.unattributed);
    if (out.lateClicks) m.lateEvents.inc({ topic: this.o.topics.clicks }, out.lateClicks);
    if (out.lateCheckouts) m.lateEvents.inc({ topic: this.o.topics.checkouts }, out.lateCheckouts);
  }

  /**
   * Rows are pending: write them now rather than at the next tick (SINK_FLUSH_INTERVAL_MS, 100 ms
   * by default, was half of a provisional row's median latency at 10k events/s). Spaced by
   * FLUSH_SPACING_MS so a backlog's stream of batches does not become a stream of tiny upserts.
   */
  private flushSoon(): void {
    if (this.flushRunning) {
      this.flushAgain = true;
      return;
    }
    const wait = this.lastFlushStartedAt + FLUSH_SPACING_MS - performance.now();
    if (wait > 0) this.flushSpacingTimer ??= setTimeout(() => this.scheduleFlush(), wait);
    else if (this.pendingRows.size >= FLUSH_AT_ONCE_ROWS) this.scheduleFlush();
    // Else not at once: the other batches of this fetch are handled in this same turn, and one
    // flush takes all their rows (started with the first batch's rows, it held the others back
    // for a round trip and the spacing: half of a provisional row's median latency at 10k/s).
    else this.flushAtTurnEnd ??= setImmediate(() => this.scheduleFlush());
  }

  private scheduleFlush(): void {
    if (this.flushSpacingTimer) clearTimeout(this.flushSpacingTimer);
    this.flushSpacingTimer = undefined;
    if (this.flushAtTurnEnd) clearImmediate(this.flushAtTurnEnd);
    this.flushAtTurnEnd = undefined;
    // One flush at a time: while one is retrying through an outage, ticks are skipped.
    if (this.flushRunning || this.stopped) return;
    this.flushRunning = true;
    this.flushAgain = false;
    this.lastFlushStartedAt = performance.now();
    this.flushing = this.flush(false)
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.flushRunning = false;
        if (this.flushAgain && !this.failed) this.flushSoon();
      });
  }

  /** A bug (not a transient fault): exit; a restart resumes from the last snapshot. */
  private fail(error: unknown): void {
    if (this.failed || this.stopped) return;
    this.failed = error instanceof Error ? error : new Error(String(error));
    this.o.log(
      `failed: ${describeError(this.failed)}; exiting so a restart resumes from the last snapshot`,
    );
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  }

  /**
   * Writes the pending rows; when a snapshot is due, also captures every partition's state and
   * offsets at the same instant, and writes it only after those rows are committed (in the
   * background, on another connection, so a large snapshot never holds the next rows back).
   * The snapshot may lag the sink, never lead it: rows ahead of a snapshot are rewritten
   * identically on replay. If the rows cannot be written, they go back to the pending set and
   * the snapshot is dropped, so no path stores a state whose rows are not in the table.
   */
  private async flush(forceSnapshot: boolean): Promise<void> {
    const now = Date.now();
    // Spacing snapshots at least 20× the cost of the last one made of deltas keeps them under
    // ~5% of the worker's time when the traffic outgrows the interval (a crash then replays a
    // little more). Bases do not space them: a partition retakes its base only once its deltas
    // add up to more than it, so a base's cost is spread over the deltas before it; spacing by
    // it would let the journal outgrow the base again and again.
    const interval = Math.max(this.o.snapshotIntervalMs, 20 * this.lastDeltaRoundCostMs);
    // A held row is older than any pending row for its checkout (offer drops it otherwise).
    const released = forceSnapshot
      ? this.hold.releaseAll()
      : this.hold.release((p) => {
          const runtime = this.partitions.get(p);
          return runtime
            ? this.progressOf(runtime)
            : { slowest: Infinity, sourceAdvances: 0, caughtUp: true };
        }, now);
    for (const [key, pending] of released) this.pendingRows.set(key, pending);
    const snapshotDue =
      (forceSnapshot || now - this.lastSnapshotAt >= interval) && !this.snapshotInFlight;
    if (this.pendingRows.size === 0 && !snapshotDue) return;
    // Captured synchronously: rows, states and offsets all describe the same instant.
    const rows = this.pendingRows;
    this.pendingRows = new Map();
    const encodeStarted = performance.now();
    const captured = snapshotDue ? this.captureSnapshots(forceSnapshot) : [];
    const encodeSeconds = (performance.now() - encodeStarted) / 1000;

    if (rows.size > 0) {
      try {
        await this.sink.write(rows);
      } catch (error) {
        this.requeue(rows);
        for (const c of captured) c.runtime.snapshotDropped(c.captured);
        throw error;
      }
    }
    if (snapshotDue) {
      this.lastSnapshotAt = now;
      const write = this.writeSnapshots(captured, encodeSeconds);
      this.snapshotInFlight = write.finally(() => {
        this.snapshotInFlight = undefined;
      });
      // A forced snapshot (shutdown) is waited for; a periodic one runs beside the next flushes.
      if (forceSnapshot) await write;
      else write.catch((error: unknown) => this.fail(error));
    }
    this.updateGauges();
  }

  /**
   * Every partition's snapshot at this instant, but at most one new base per round (all of them
   * when stopping): the partitions of a worker grow alike and wanted their bases in the same
   * round, one synchronous encode of the worker's whole state that held every row behind it.
   * The others add a delta (or skip the round) and take their bases in the next rounds.
   */
  private captureSnapshots(
    all: boolean,
  ): { runtime: PartitionRuntime; captured: CapturedSnapshot }[] {
    let baseAllowed = true;
    const captured: { runtime: PartitionRuntime; captured: CapturedSnapshot }[] = [];
    for (const runtime of this.partitions.values()) {
      const snapshot = runtime.captureSnapshot(all || baseAllowed);
      if (!snapshot) continue;
      if (snapshot.snapshot.kind === 'base') baseAllowed = false;
      captured.push({ runtime, captured: snapshot });
    }
    return captured;
  }

  /** Puts rows that could not be written back in front of the newer ones (newer rows win). */
  private requeue(rows: PendingRows): void {
    for (const [key, row] of this.pendingRows) {
      rows.delete(key);
      rows.set(key, row);
    }
    this.pendingRows = rows;
  }

  private async writeSnapshots(
    captured: { runtime: PartitionRuntime; captured: CapturedSnapshot }[],
    encodeSeconds: number,
  ): Promise<void> {
    if (captured.length === 0) return;
    const started = performance.now();
    // A base is encoded here, from the copy taken at capture, between the rows of later flushes.
    for (const c of captured) await encodeCaptured(c.captured);
    const snapshots = captured.map((c) => c.captured.snapshot);
    await this.retryPostgres('snapshot write', () =>
      saveSnapshots(this.o.pool, this.o.groupId, snapshots),
    );
    for (const c of captured) c.runtime.snapshotStored(c.captured);
    this.lastSnapshotCostMs = encodeSeconds * 1000 + (performance.now() - started);
    if (snapshots.every((s) => s.kind === 'delta'))
      this.lastDeltaRoundCostMs = this.lastSnapshotCostMs;
    this.o.metrics.snapshotSeconds.observe(this.lastSnapshotCostMs / 1000);
    this.o.metrics.snapshotBytes.set(snapshots.reduce((n, s) => n + s.state.byteLength, 0));
    // Kafka's committed offsets follow the snapshot, never run ahead of it.
    await this.consumer
      .commitOffsets(
        snapshots.flatMap((s) =>
          Object.entries(s.offsets).map(([topic, offset]) => ({
            topic,
            partition: s.partition,
            offset,
          })),
        ),
      )
      .catch((error: unknown) =>
        this.o.log(`offset commit skipped (${String(error)}); the snapshot holds them`),
      );
  }

  private updateGauges(): void {
    let keys = 0;
    let clicks = 0;
    let bytes = 0;
    let pending = 0;
    const now = Date.now();
    for (const r of this.partitions.values()) {
      const s = r.stats();
      keys += s.keys;
      clicks += s.clicks;
      bytes += s.stateBytes;
      pending += s.pendingCheckouts;
      if (Number.isFinite(r.watermark)) {
        this.o.metrics.watermarkDelay.set(
          { partition: String(r.partition) },
          (now - r.watermark) / 1000,
        );
      }
    }
    const m = this.o.metrics;
    m.stateKeys.set(keys);
    m.stateClicks.set(clicks);
    m.stateBytes.set(bytes);
    m.checkoutRows.set({ state: 'provisional' }, pending);
    m.checkoutRows.set({ state: 'final' }, this.finalRows);
  }

  /**
   * The retained clicks of (user, product) if this worker holds the user's partition, else
   * undefined (ask another worker). For the checkout detail page's "why this click" timeline.
   */
  retainedClicks(userId: number, productId: string) {
    const runtime = this.partitions.get(userPartition(userId, this.o.sourcePartitions));
    return runtime?.retainedClicks(userId, productId);
  }

  /** Largest event time any source has reported to this worker's partitions (markers). */
  maxEventTimeSeen(): number {
    let max = Number.NEGATIVE_INFINITY;
    for (const r of this.partitions.values()) max = Math.max(max, r.maxEventTime);
    return max;
  }

  /** Null while healthy; a reason when the loop has failed or stopped making progress. */
  stalledReason(): string | null {
    if (this.failed) return `failed: ${this.failed.message}`;
    // Waiting for the database is "degraded" (/healthz lists it), not a stalled loop.
    if (this.sink.down) return null;
    const behind = [...this.lag.values()].reduce((a, b) => a + b, 0);
    const quietFor = Date.now() - this.lastProgressAt;
    if (behind > 0 && quietFor > STALL_AFTER_MS) {
      return `${behind} messages waiting and no batch processed for ${Math.round(quietFor / 1000)} s`;
    }
    return null;
  }

  stats() {
    return {
      partitions: [...this.partitions.values()].map((r) => ({
        partition: r.partition,
        ...r.stats(),
        watermark: Number.isFinite(r.watermark) ? r.watermark : null,
        nextOffsets: r.nextOffsets,
      })),
      lastProgressAt: this.lastProgressAt,
      pendingRows: this.pendingRows.size,
      heldProvisionalRows: this.hold.size,
      sinkDown: this.sink.down,
      watermarkRepairs: this.watermarkRepairs,
      droppedMarkers: this.droppedMarkers,
    };
  }
}

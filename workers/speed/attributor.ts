// Stage 2 of the speed layer: a consumer group over the internal topics with
// the co-partitioning assigner, one AttributionPartition per assigned
// partition. Rows are flushed every SINK_FLUSH_INTERVAL_MS; every
// SNAPSHOT_INTERVAL_MS the same transaction also stores each partition's
// encoded state and next offsets, and only then are those offsets committed to
// Kafka. On assignment a partition resumes from its snapshot (state + seek), so
// a crash at any moment replays from a consistent point (docs/design.md).
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type pg from 'pg';
import { copartitionAssigner } from '../../lib/kafka/copartition.ts';
import { userPartition } from '../../lib/kafka/user-partition.ts';
import type { TopicNames } from '../../lib/kafka/topics.ts';
import { decodeInternal } from './internal-wire.ts';
import type { SpeedMetrics } from './metrics.ts';
import { PartitionRuntime, expectedSources } from './partition-runtime.ts';
import { upsertCheckoutRows, type CheckoutRow } from './sink.ts';
import { loadSnapshot, saveSnapshots, type PartitionSnapshot } from './snapshots.ts';
import type { UserDirectory } from './user-directory.ts';

export interface AttributorOptions {
  kafka: Kafka;
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
  log: (msg: string) => void;
}

/** Work waiting and no batch for this long: the loop is stuck, /healthz says so. */
const STALL_AFTER_MS = 60_000;

interface PendingRow {
  row: CheckoutRow;
  producedAt: number;
}

export class Attributor {
  private readonly consumer: Consumer;
  private readonly partitions = new Map<number, PartitionRuntime>();
  private readonly loading = new Map<number, Promise<PartitionRuntime>>();
  private pendingRows = new Map<string, PendingRow>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private snapshotInFlight: Promise<void> | undefined;
  private lastSnapshotCostMs = 0;
  private lastSnapshotAt = 0;
  private lastProgressAt = Date.now();
  private finalRows = 0;
  /** Messages left behind the last batch, per internal topic-partition. */
  private readonly lag = new Map<string, number>();
  private failed: Error | undefined;
  private stopped = false;

  constructor(private readonly o: AttributorOptions) {
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      partitionAssigners: [copartitionAssigner(() => [...this.partitions.keys()])],
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 50,
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(o.sessionTimeoutMs / 3)),
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(payload.memberAssignment[this.o.topics.clicksByUser] ?? []);
      for (const p of [...this.partitions.keys()]) {
        if (!assigned.has(p)) {
          this.partitions.delete(p);
          this.o.log(`partition ${p} moved to another worker`);
        }
      }
      const added = [...assigned].filter((p) => !this.partitions.has(p));
      if (added.length === 0) return;
      const started = performance.now();
      Promise.all(added.map((p) => this.runtimeFor(p))).then(
        () =>
          this.o.log(
            `restored ${added.length} partition(s) in ${Math.round(performance.now() - started)} ms`,
          ),
        (error: unknown) => {
          this.failed = error instanceof Error ? error : new Error(String(error));
          this.o.log(`could not restore partitions: ${this.failed.message}`);
        },
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

  /** Flushes rows and a final snapshot while still in the group (so its offsets commit), then leaves. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    // Stop fetching but stay in the group: a commit after consumer.stop() is refused. A batch
    // still running finishes after the snapshot; its effects are replayed by the next owner.
    this.consumer.pause([
      { topic: this.o.topics.clicksByUser },
      { topic: this.o.topics.checkoutsByUser },
    ]);
    await this.flushing;
    await this.snapshotInFlight?.catch(() => undefined);
    await this.flush(true).catch((error: unknown) =>
      this.o.log(`last flush failed: ${String(error)}`),
    );
    await this.consumer.disconnect().catch(() => undefined);
  }

  /** The partition's runtime, loading its snapshot and seeking to its offsets the first time. */
  private runtimeFor(partition: number): Promise<PartitionRuntime> {
    const ready = this.partitions.get(partition);
    if (ready) return Promise.resolve(ready);
    let loading = this.loading.get(partition);
    if (!loading) {
      loading = (async () => {
        const snapshot = await loadSnapshot(this.o.pool, this.o.groupId, partition);
        const runtime = snapshot
          ? PartitionRuntime.fromSnapshot(partition, snapshot.state)
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
          this.o.log(`partition ${partition}: resumed from snapshot (${snapshot.sizeBytes} bytes)`);
        }
        this.partitions.set(partition, runtime);
        this.loading.delete(partition);
        return runtime;
      })();
      this.loading.set(partition, loading);
    }
    return loading;
  }

  private async onBatch({ batch, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    if (this.failed) throw this.failed;
    if (batch.messages.length === 0) return;
    const runtime = await this.runtimeFor(batch.partition);
    const records = batch.messages.map((m) => decodeInternal(m.value ?? ''));
    // Names are looked up before the records are processed, so processing stays synchronous and
    // a snapshot can never see half a batch.
    const userIds: number[] = [];
    for (const r of records) if (r.kind === 'checkout') userIds.push(r.checkout.userId);
    await this.o.users.prefetch(userIds);
    if (isStale() || this.partitions.get(batch.partition) !== runtime) return;

    const expectedNext = runtime.nextOffsets[batch.topic];
    for (let i = 0; i < records.length; i++) {
      const offset = batch.messages[i]!.offset;
      // After a seek, Kafka may hand back records the snapshot already holds.
      if (expectedNext !== undefined && BigInt(offset) < BigInt(expectedNext)) continue;
      const r = records[i]!;
      if (r.kind === 'click') runtime.onClick(r.click, r.meta);
      else if (r.kind === 'checkout')
        runtime.onCheckout(r.checkout, r.meta, this.o.users.nameOf(r.checkout.userId));
      else runtime.onMarker(r.marker);
    }
    runtime.nextOffsets[batch.topic] = (BigInt(batch.lastOffset()) + 1n).toString();
    this.collect(runtime);
    this.lastProgressAt = Date.now();
    const lag = Number(batch.offsetLag());
    this.lag.set(`${batch.topic}/${batch.partition}`, lag);
    this.o.metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, lag);
    await heartbeat();
  }

  /** Moves a runtime's new rows and counters into the pending flush. */
  private collect(runtime: PartitionRuntime): void {
    const out = runtime.drain();
    for (const { row, producedAt } of out.rows)
      this.pendingRows.set(row.checkoutId, { row, producedAt });
    const m = this.o.metrics;
    this.finalRows += out.attributed + out.unattributed;
    if (out.attributed) m.checkouts.inc({ outcome: 'attributed' }, out.attributed);
    if (out.unattributed) m.checkouts.inc({ outcome: 'unattributed' }, out.unattributed);
    if (out.lateClicks) m.lateEvents.inc({ topic: this.o.topics.clicks }, out.lateClicks);
    if (out.lateCheckouts) m.lateEvents.inc({ topic: this.o.topics.checkouts }, out.lateCheckouts);
  }

  private scheduleFlush(): void {
    this.flushing = this.flushing
      .then(() => this.flush(false))
      .catch((error: unknown) => this.fail(error));
  }

  /** A sink that cannot write is not recoverable in place: crash, a restart resumes from the snapshot. */
  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = error instanceof Error ? error : new Error(String(error));
    this.o.log(
      `write failed: ${this.failed.message}; exiting so a restart resumes from the last snapshot`,
    );
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  }

  /**
   * Writes the pending rows; when a snapshot is due, also captures every partition's state and
   * offsets at the same instant. The rows commit first, in their own short transaction; the
   * snapshot follows in the background on another connection (the snapshot may lag the sink,
   * never lead it: rows ahead of a snapshot are rewritten identically on replay). So a large
   * snapshot never holds the next rows back. One snapshot in flight at a time.
   */
  private async flush(forceSnapshot: boolean): Promise<void> {
    const now = Date.now();
    // Full snapshots cost time in proportion to the state: spacing them at least 20× their last
    // cost keeps them under ~5% of the worker's time however large the state grows (a crash
    // then replays a little more).
    const interval = Math.max(this.o.snapshotIntervalMs, 20 * this.lastSnapshotCostMs);
    const snapshotDue =
      (forceSnapshot || now - this.lastSnapshotAt >= interval) && !this.snapshotInFlight;
    if (this.pendingRows.size === 0 && !snapshotDue) return;
    // Captured synchronously: rows, states and offsets all describe the same instant.
    const rows = this.pendingRows;
    this.pendingRows = new Map();
    const encodeStarted = performance.now();
    const snapshots = snapshotDue
      ? [...this.partitions.values()].map((r) => ({
          partition: r.partition,
          state: r.encode(),
          offsets: { ...r.nextOffsets },
          watermark: r.watermark,
        }))
      : [];
    const encodeSeconds = (performance.now() - encodeStarted) / 1000;
    if (snapshotDue) this.lastSnapshotCostMs = encodeSeconds * 1000;

    if (rows.size > 0) {
      const started = performance.now();
      const client = await this.o.pool.connect();
      try {
        await upsertCheckoutRows(
          client,
          [...rows.values()].map((p) => p.row),
        );
      } finally {
        client.release();
      }
      const written = Date.now();
      this.o.metrics.sinkBatchSeconds.observe((performance.now() - started) / 1000);
      for (const { row, producedAt } of rows.values()) {
        if (producedAt > 0) {
          this.o.metrics.endToEndLatency.observe(
            { kind: row.isFinal ? 'final' : 'provisional' },
            Math.max(0, written - producedAt) / 1000,
          );
        }
      }
    }
    if (snapshotDue) {
      this.lastSnapshotAt = now;
      const write = this.writeSnapshots(snapshots, encodeSeconds);
      this.snapshotInFlight = write.finally(() => {
        this.snapshotInFlight = undefined;
      });
      // A forced snapshot (shutdown) is waited for; a periodic one runs beside the next flushes.
      if (forceSnapshot) await write;
      else write.catch((error: unknown) => this.fail(error));
    }
    this.updateGauges();
  }

  private async writeSnapshots(
    snapshots: PartitionSnapshot[],
    encodeSeconds: number,
  ): Promise<void> {
    if (snapshots.length === 0) return;
    const started = performance.now();
    const client = await this.o.pool.connect();
    try {
      await saveSnapshots(client, this.o.groupId, snapshots);
    } finally {
      client.release();
    }
    this.lastSnapshotCostMs = encodeSeconds * 1000 + (performance.now() - started);
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
    if (this.failed) return `sink failed: ${this.failed.message}`;
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
    };
  }
}

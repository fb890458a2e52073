// One assigned partition in a worker: the pure engine plus what the edges need
// around it (the next offsets to read, sink rows tagged with their partition
// and production time). No I/O here either.
import { randomUUID } from 'node:crypto';
import type { Checkout } from '../../lib/domain/events.ts';
import { AttributionPartition, type PartitionStats } from '../../lib/domain/partition-engine.ts';
import type { InternalMeta, Marker, RoutedClick } from './internal-wire.ts';
import type { CheckoutRow as DomainCheckoutRow } from '../../lib/domain/partition-types.ts';
import type { CheckoutRow } from './sink.ts';
import { runInSlices } from './in-slices.ts';
import type { PartitionSnapshot } from './snapshots.ts';

/** Every partition of both source topics: the sources whose markers make the watermark. */
export function expectedSources(sourcePartitions: number): string[] {
  const sources: string[] = [];
  for (const topic of ['clicks', 'checkouts']) {
    for (let p = 0; p < sourcePartitions; p++) sources.push(`${topic}/${p}`);
  }
  return sources;
}

/**
 * The engine's row as the sink writes it. Spelled out field by field: `({ triggerMessageTime,
 * ...row }) => ({ ...row, partition })` cost 2.8 µs a row (rest and spread copy through the slow
 * path), this 0.2 µs: 0.43 s of each worker's 18 s on bench/peers' uniform backlog.
 */
function sinkRow(r: DomainCheckoutRow, partition: number): CheckoutRow {
  return {
    checkoutId: r.checkoutId,
    userId: r.userId,
    userName: r.userName,
    isUnknownUser: r.isUnknownUser,
    productId: r.productId,
    paymentMethod: r.paymentMethod,
    totalAmount: r.totalAmount,
    shippingAddress: r.shippingAddress,
    billingAddress: r.billingAddress,
    userAgent: r.userAgent,
    ipAddress: r.ipAddress,
    checkoutTime: r.checkoutTime,
    clickId: r.clickId,
    clickTime: r.clickTime,
    clickTag: r.clickTag,
    isFinal: r.isFinal,
    isLate: r.isLate,
    partition,
  };
}

export interface RuntimeOutput {
  rows: { row: CheckoutRow; producedAt: number }[];
  /** Copies of a checkout id under another user id than its first: dead letters to be. */
  conflicts: { row: CheckoutRow; ownerUserId: number }[];
  attributed: number;
  unattributed: number;
  lateClicks: number;
  lateCheckouts: number;
}

/** Deltas since the base before the next snapshot is a base again (bounds recovery work). */
const MAX_DELTAS_PER_CHAIN = 120;

/** A snapshot captured and not yet stored (see PartitionRuntime.captureSnapshot). */
export interface CapturedSnapshot {
  /** A base's state is empty until `encodeCaptured` has encoded it. */
  snapshot: PartitionSnapshot;
  /** Journal mark of a delta, to confirm once stored. */
  mark: number;
  /** A base's encoding, from a copy of the state taken at capture: see encodeCaptured. */
  encoding?: Generator<void, Buffer, void>;
}

/**
 * Encodes a captured base, a few milliseconds at a time (the partition goes on meanwhile: the
 * encoding reads a copy). A delta is encoded at capture already (its journal is small).
 */
export async function encodeCaptured(captured: CapturedSnapshot): Promise<void> {
  if (!captured.encoding) return;
  captured.snapshot.state = await runInSlices(captured.encoding);
  captured.encoding = undefined;
}

export class PartitionRuntime {
  /** Next offset to read per internal topic; travels with the snapshot. */
  nextOffsets: Record<string, string> = {};
  /**
   * The chain the stored snapshots continue, and the last stored seq in it. Null until this
   * runtime stores a base of its own: after a restore it never extends a chain another worker
   * may still be writing to (a late delta of the previous owner would collide with ours).
   */
  private chain: string | null = null;
  private seq = 0;
  private deltaBytesSinceBase = 0;
  private baseBytes = 0;
  /** Sources whose latest marker said they were read to their end (Marker.readToEnd). */
  private readonly sourcesReadToEnd = new Set<string>();

  private constructor(
    readonly partition: number,
    private readonly engine: AttributionPartition,
  ) {}

  static fresh(partition: number, sources: string[], allowedLatenessMs: number): PartitionRuntime {
    return new PartitionRuntime(
      partition,
      new AttributionPartition({ allowedLatenessMs, expectedSources: sources }),
    );
  }

  static fromSnapshot(
    partition: number,
    base: Uint8Array,
    deltas: readonly Uint8Array[] = [],
  ): PartitionRuntime {
    return new PartitionRuntime(partition, AttributionPartition.decode(base, deltas));
  }

  get watermark(): number {
    return this.engine.watermark;
  }

  /** See WatermarkTracker.sourceAdvances: grows while the partition's sources are being read. */
  get sourceAdvances(): number {
    return this.engine.sourceAdvances;
  }

  /**
   * Every source has been read to its end, as far as this partition has read: it has no backlog
   * left to catch up with. Not part of a snapshot: a restored partition learns it again from the
   * next markers (until then it counts as catching up).
   */
  get caughtUp(): boolean {
    return this.sourcesReadToEnd.size >= this.engine.sourceCount;
  }

  /** See AttributionPartition.forgetProgressAfter: repairs a watermark past `limit`. */
  forgetProgressAfter(limit: number): string[] {
    return this.engine.forgetProgressAfter(limit);
  }

  retainedClicks(userId: number, productId: string) {
    return this.engine.retainedClicks(userId, productId);
  }

  get maxEventTime(): number {
    return this.engine.maxEventTime;
  }

  onClick(click: RoutedClick, meta: InternalMeta): void {
    this.engine.onClick(click, { messageTime: meta.producedAt });
  }

  onCheckout(checkout: Checkout, meta: InternalMeta, userName: string | undefined): void {
    this.engine.onCheckout(checkout, { messageTime: meta.producedAt }, userName);
  }

  onMarker(marker: Marker): void {
    if (marker.readToEnd) this.sourcesReadToEnd.add(marker.source);
    else this.sourcesReadToEnd.delete(marker.source);
    this.engine.onMarker({
      source: marker.source,
      maxEventTime: marker.maxEventTime ?? Number.NEGATIVE_INFINITY,
      idle: marker.idle,
    });
  }

  drain(): RuntimeOutput {
    const { rows, conflicts, counters } = this.engine.drain();
    const partition = this.partition;
    return {
      rows: rows.map((r) => ({
        row: sinkRow(r, partition),
        producedAt: r.triggerMessageTime ?? 0,
      })),
      conflicts: conflicts.map((c) => ({
        row: sinkRow(c.row, partition),
        ownerUserId: c.ownerUserId,
      })),
      attributed: counters.finalAttributed,
      unattributed: counters.finalUnattributed,
      lateClicks: counters.lateClicks,
      lateCheckouts: counters.lateCheckouts,
    };
  }

  /**
   * Captures this instant's snapshot: a delta (the changes since the last stored snapshot) while
   * the chain is short and its deltas are smaller than its base, else a new base, whose bytes
   * encodeCaptured makes before it is stored. Drain first.
   * When `baseAllowed` is false (another partition of the worker takes its base in this round)
   * the chain grows past its base by one more delta, or, if it cannot (none, or at its length
   * limit), nothing is captured this round (null): the stored snapshot stands a while longer.
   */
  captureSnapshot(baseAllowed = true): CapturedSnapshot | null {
    const common = {
      partition: this.partition,
      offsets: { ...this.nextOffsets },
      watermark: this.engine.watermark,
    };
    const chainAtLimit = this.seq >= MAX_DELTAS_PER_CHAIN;
    const chainFull =
      chainAtLimit || this.deltaBytesSinceBase + this.engine.journalBytes > this.baseBytes;
    if (!baseAllowed && (this.chain === null || chainAtLimit)) return null;
    if (this.chain !== null && (!chainFull || !baseAllowed)) {
      const { bytes, mark } = this.engine.encodeDelta();
      return {
        snapshot: { ...common, kind: 'delta', chain: this.chain, seq: this.seq + 1, state: bytes },
        mark,
      };
    }
    const chain = randomUUID();
    return {
      snapshot: { ...common, kind: 'base', chain, seq: 0, state: new Uint8Array(0) },
      mark: 0,
      encoding: this.engine.captureBase(),
    };
  }

  /** The captured snapshot is stored: the next delta follows it. */
  snapshotStored({ snapshot, mark }: CapturedSnapshot): void {
    if (snapshot.kind === 'base') {
      this.chain = snapshot.chain;
      this.seq = 0;
      this.deltaBytesSinceBase = 0;
      this.baseBytes = snapshot.state.byteLength;
    } else if (snapshot.chain === this.chain) {
      this.engine.confirmDelta(mark);
      this.seq = snapshot.seq;
      this.deltaBytesSinceBase += snapshot.state.byteLength;
    }
  }

  /**
   * The captured snapshot was not stored (its rows failed). A delta's changes are still in the
   * journal; a base cleared the journal, so the next snapshot must be a base again.
   */
  snapshotDropped({ snapshot }: CapturedSnapshot): void {
    if (snapshot.kind === 'base') this.chain = null;
  }

  stats(): PartitionStats {
    return this.engine.stats();
  }
}

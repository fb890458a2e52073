// The attribution engine of one internal partition: deterministic, no I/O, no clock. Inputs are
// events and watermark markers in arrival order; outputs are row upserts and counters, as
// values. Invariants: a checkout gets exactly one final row, and nothing after it; every row
// written equals the rule applied to the clicks retained so far; pending checkouts have
// time >= watermark; retained clicks have time >= watermark - 1 h.
import { ATTRIBUTION_WINDOW_MS, attributedClick, beats } from './attribution-rule.ts';
import { compareTimeThenId } from './byte-order.ts';
import { ClickStore, type RetainedClick } from './click-store.ts';
import type { Checkout } from './events.ts';
import { MinHeap } from './min-heap.ts';
import {
  zeroCounters,
  type AttributableClick,
  type CheckoutRow,
  type ConflictingCheckout,
  type EventMeta,
  type PartitionCounters,
  type PartitionOptions,
  type PartitionOutput,
  type PartitionState,
  type PartitionStats,
  type PendingCheckout,
} from './partition-types.ts';
import {
  decodePartitionSnapshots,
  encodePartitionDelta,
  encodePartitionState,
  encodePartitionStateInSteps,
} from './snapshot-codec.ts';
import { StateJournal } from './state-journal.ts';
import { WatermarkTracker, type WatermarkMarker } from './watermark.ts';

export type {
  CheckoutRow,
  ConflictingCheckout,
  EventMeta,
  PartitionCounters,
  PartitionOptions,
  PartitionOutput,
  PartitionState,
  PartitionStats,
  PendingCheckout,
} from './partition-types.ts';

const byTimeThenId = (a: PendingCheckout, b: PendingCheckout): number =>
  compareTimeThenId(a.checkout.time, a.checkout.checkoutId, b.checkout.time, b.checkout.checkoutId);

export class AttributionPartition {
  private tracker: WatermarkTracker;
  private store = new ClickStore();
  private readonly pending = new Map<string, PendingCheckout>();
  /** Per (user, product), sorted by (time, id): the checkouts a click may re-attribute. */
  private readonly pendingByKey = new Map<number, Map<string, PendingCheckout[]>>();
  private readonly finalizeQueue = new MinHeap<PendingCheckout>(byTimeThenId);
  /** Finalized checkout ids still remembered, with their user id (NaN: an old snapshot's). */
  private readonly finalized = new Map<string, number>();
  private finalizedIds: string[] = [];
  private finalizedAt: number[] = [];
  private finalizedUsers: number[] = [];
  private finalizedHead = 0;
  private readonly retentionMs: number;
  private totals = zeroCounters();
  private delta = zeroCounters();
  private outbox: CheckoutRow[] = [];
  private conflicts: ConflictingCheckout[] = [];
  /** Changes to the clicks, pending checkouts and finalized ids since the last snapshot. */
  private journal = new StateJournal();

  constructor(options: PartitionOptions) {
    this.tracker = new WatermarkTracker(options.expectedSources, options.allowedLatenessMs);
    this.retentionMs = options.checkoutIdRetentionMs ?? ATTRIBUTION_WINDOW_MS;
  }

  /** The retained clicks of (user, product): what a checkout there would be attributed from. */
  retainedClicks(userId: number, productId: string): RetainedClick[] {
    return this.store.clicksOf(userId, productId);
  }

  /** Largest event time any source has reported to this partition. */
  get maxEventTime(): number {
    return this.tracker.maxEventTime;
  }

  get watermark(): number {
    return this.tracker.watermark;
  }

  /** See WatermarkTracker.sourceAdvances. */
  get sourceAdvances(): number {
    return this.tracker.sourceAdvances;
  }

  /** See WatermarkTracker.sourceCount. */
  get sourceCount(): number {
    return this.tracker.sourceCount;
  }

  onClick(click: AttributableClick, meta: EventMeta = {}): void {
    const watermark = this.tracker.watermark;
    const tag = click.tag ?? '';
    const outcome = this.store.add(click.userId, click.productId, click.clickId, click.time, tag);
    if (outcome === 'added')
      this.journal.addClick(
        click.userId,
        click.productId,
        click.clickId,
        this.store.addedIdWords,
        click.time,
        tag,
      );
    if (outcome === 'duplicate') return this.count('duplicateClicks');
    if (click.time < watermark) this.count('lateClicks');
    if (outcome === 'expired') return this.count('expiredClicks');
    this.count('clicks');
    const waiting = this.pendingByKey.get(click.userId)?.get(click.productId);
    if (!waiting) return;
    // Pending checkouts whose window [t_c - 1 h, t_c] contains the click: t <= t_c <= t + 1 h.
    let i = lowerBoundByTime(waiting, click.time);
    for (; i < waiting.length; i++) {
      const entry = waiting[i] as PendingCheckout;
      if (entry.checkout.time > click.time + ATTRIBUTION_WINDOW_MS) break;
      const better =
        entry.clickId === null ||
        beats(click, { clickId: entry.clickId, time: entry.clickTime as number });
      if (!better) continue;
      entry.clickId = click.clickId;
      entry.clickTime = click.time;
      entry.clickTag = tag;
      this.journal.pendingClick(entry.checkout.checkoutId, click.clickId, click.time, tag);
      this.count('correctedRows');
      this.emit(entry, false, false, meta.messageTime);
    }
  }

  /**
   * `userName`: the user's current name, or undefined when the user id does not exist. A checkout
   * id seen before is a re-delivery under the same user id (dropped, counted), and a conflicting
   * copy under another one: that copy becomes a `conflicts` output, never state, so the first
   * copy keeps the id here as the sink keeps it across partitions (sink.ts). A finalized id from
   * a snapshot too old to hold its user (NaN) counts as a re-delivery, as it always did.
   */
  onCheckout(checkout: Checkout, meta: EventMeta, userName: string | undefined): void {
    const id = checkout.checkoutId;
    const owner = this.pending.get(id)?.checkout.userId ?? this.finalized.get(id);
    if (owner !== undefined) {
      if (owner === checkout.userId || Number.isNaN(owner)) return this.count('duplicateCheckouts');
      this.count('conflictingCheckouts');
      const copy = this.attribute(checkout, userName);
      const isLate = checkout.time < this.tracker.watermark;
      this.conflicts.push({
        row: this.rowOf(copy, true, isLate, meta.messageTime),
        ownerUserId: owner,
      });
      return;
    }
    this.count('checkouts');
    const entry = this.attribute(checkout, userName);
    if (checkout.time < this.tracker.watermark) {
      this.count('lateCheckouts');
      this.finalize(entry, true, meta.messageTime);
      return;
    }
    this.addPending(entry);
    this.journal.pendingAdded(entry);
    this.emit(entry, false, false, meta.messageTime);
  }

  /** The checkout as attributed from the clicks retained now. */
  private attribute(checkout: Checkout, userName: string | undefined): PendingCheckout {
    const best = attributedClick(this.store, checkout);
    return {
      checkout,
      userName: userName ?? '',
      isUnknownUser: userName === undefined,
      clickId: best ? best.clickId : null,
      clickTime: best ? best.time : null,
      clickTag: best ? best.tag : null,
    };
  }

  onMarker(marker: WatermarkMarker, meta: EventMeta = {}): void {
    if (!this.tracker.observe(marker)) return;
    const watermark = this.tracker.watermark;
    // Final once the watermark passes the checkout: no on-time click can still be <= its time.
    for (let top = this.finalizeQueue.peek(); top; top = this.finalizeQueue.peek()) {
      if (!(top.checkout.time < watermark)) break;
      this.finalizeQueue.pop();
      this.removePending(top);
      this.finalize(top, false, meta.messageTime);
    }
    const cutoff = watermark - ATTRIBUTION_WINDOW_MS;
    if (cutoff > this.store.horizon) this.journal.evictBefore(cutoff);
    const evicted = this.store.evictBefore(cutoff);
    if (evicted > 0) this.count('evictedClicks', evicted);
    this.forgetFinalizedBefore(watermark - this.retentionMs);
  }

  /**
   * Repairs a watermark poisoned by event times after `limit` (see
   * WatermarkTracker.forgetProgressAfter). Returns the sources whose progress was forgotten;
   * empty when the state was sound. Checkouts already finalized stay final.
   */
  forgetProgressAfter(limit: number): string[] {
    const forgotten = this.tracker.forgetProgressAfter(limit);
    // Clicks refused by the poisoned horizon are welcome again once the sources report.
    if (forgotten.length > 0) {
      const horizon = this.tracker.watermark - ATTRIBUTION_WINDOW_MS;
      if (horizon < this.store.horizon) this.journal.lowerHorizon(horizon);
      this.store.lowerHorizon(horizon);
    }
    return forgotten;
  }

  /** Takes the rows written and the counter increments since the last drain. */
  drain(): PartitionOutput {
    const output = { rows: this.outbox, conflicts: this.conflicts, counters: this.delta };
    this.outbox = [];
    this.conflicts = [];
    this.delta = zeroCounters();
    return output;
  }

  /** Cumulative counters since the partition's state began (they survive snapshots). */
  counters(): PartitionCounters {
    return { ...this.totals };
  }

  stats(): PartitionStats {
    return {
      watermark: this.tracker.watermark,
      keys: this.store.keyCount,
      clicks: this.store.clickCount,
      stateBytes: this.store.estimateHeapBytes() + this.pending.size * 600,
      pendingCheckouts: this.pending.size,
      rememberedCheckoutIds: this.finalized.size,
    };
  }

  /**
   * The binary snapshot of the whole state (a base). Drain first: undrained rows are not part of
   * it. The journal starts again from here: deltas after this base hold only later changes.
   */
  encodeSnapshot(): Buffer {
    this.startBase();
    return encodePartitionState(this.state(this.store, [...this.pending.values()]));
  }

  /**
   * The base of this instant, to encode a part at a time (encodePartitionStateInSteps) while
   * this partition goes on: it encodes a copy of the state, taken now (a memcpy of the click
   * slabs and a shallow copy of each pending checkout, which later clicks re-attribute in place).
   * The journal starts again from here, as with encodeSnapshot.
   */
  captureBase(): Generator<void, Buffer, void> {
    this.startBase();
    const pending = Array.from(this.pending.values(), (p) => ({ ...p }));
    return encodePartitionStateInSteps(this.state(this.store.clone(), pending));
  }

  private startBase(): void {
    if (this.outbox.length > 0 || this.conflicts.length > 0)
      throw new Error('drain() the partition before encoding a snapshot');
    this.journal.clear();
  }

  private state(store: ClickStore, pending: PendingCheckout[]): PartitionState {
    return {
      allowedLatenessMs: this.tracker.latenessMs,
      checkoutIdRetentionMs: this.retentionMs,
      watermark: this.tracker.watermark,
      sources: this.tracker.sourceStates(),
      store,
      pending,
      finalizedIds: this.finalizedIds.slice(this.finalizedHead),
      finalizedAt: this.finalizedAt.slice(this.finalizedHead),
      finalizedUsers: this.finalizedUsers.slice(this.finalizedHead),
      counters: { ...this.totals },
    };
  }

  /** Bytes of changes since the last snapshot: what a delta would carry of the clicks and ids. */
  get journalBytes(): number {
    return this.journal.byteLength;
  }

  /**
   * An incremental snapshot: the small parts of the state whole, the clicks, pending checkouts
   * and finalized ids as the operations since the previous snapshot. `mark` goes to confirmDelta once it is
   * stored; until then its operations stay in the journal, so a delta never written loses
   * nothing (the next one carries them too).
   */
  encodeDelta(): { bytes: Buffer; mark: number } {
    if (this.outbox.length > 0 || this.conflicts.length > 0)
      throw new Error('drain() the partition before encoding a snapshot');
    const { operations, mark } = this.journal.capture();
    const bytes = encodePartitionDelta(
      {
        allowedLatenessMs: this.tracker.latenessMs,
        checkoutIdRetentionMs: this.retentionMs,
        watermark: this.tracker.watermark,
        sources: this.tracker.sourceStates(),
        counters: this.totals,
      },
      operations,
    );
    return { bytes, mark };
  }

  /** The delta captured with `mark` is stored: its operations leave the journal. */
  confirmDelta(mark: number): void {
    this.journal.confirm(mark);
  }

  static decode(bytes: Uint8Array, deltas: readonly Uint8Array[] = []): AttributionPartition {
    return AttributionPartition.fromState(decodePartitionSnapshots(bytes, deltas));
  }

  static fromState(state: PartitionState): AttributionPartition {
    const engine = new AttributionPartition({
      allowedLatenessMs: state.allowedLatenessMs,
      expectedSources: [],
      checkoutIdRetentionMs: state.checkoutIdRetentionMs,
    });
    engine.tracker = WatermarkTracker.restore(
      state.allowedLatenessMs,
      state.watermark,
      state.sources,
    );
    engine.store = state.store;
    for (const entry of state.pending) engine.addPending(entry);
    engine.finalizedIds = state.finalizedIds;
    engine.finalizedAt = state.finalizedAt;
    engine.finalizedUsers = state.finalizedUsers;
    state.finalizedIds.forEach((id, i) => engine.finalized.set(id, state.finalizedUsers[i]!));
    engine.totals = { ...zeroCounters(), ...state.counters };
    return engine;
  }

  private addPending(entry: PendingCheckout): void {
    const { userId, productId } = entry.checkout;
    this.pending.set(entry.checkout.checkoutId, entry);
    this.finalizeQueue.push(entry);
    let products = this.pendingByKey.get(userId);
    if (!products) this.pendingByKey.set(userId, (products = new Map()));
    const list = products.get(productId);
    if (!list) {
      products.set(productId, [entry]);
      return;
    }
    let i = list.length;
    while (i > 0 && byTimeThenId(list[i - 1] as PendingCheckout, entry) > 0) i--;
    list.splice(i, 0, entry);
  }

  /** Checkouts finalize in (time, id) order, so the entry is the head of its key's list. */
  private removePending(entry: PendingCheckout): void {
    const { userId, productId, checkoutId } = entry.checkout;
    this.pending.delete(checkoutId);
    const products = this.pendingByKey.get(userId);
    const list = products?.get(productId);
    if (!products || !list || list[0] !== entry) {
      throw new Error(`pending checkout ${checkoutId} is not the head of its key`);
    }
    list.shift();
    if (list.length === 0) {
      products.delete(productId);
      if (products.size === 0) this.pendingByKey.delete(userId);
    }
  }

  private finalize(entry: PendingCheckout, isLate: boolean, messageTime: number | undefined): void {
    this.count(entry.clickId === null ? 'finalUnattributed' : 'finalAttributed');
    this.emit(entry, true, isLate, messageTime);
    const { checkoutId: id, userId } = entry.checkout;
    this.finalized.set(id, userId);
    this.finalizedIds.push(id);
    this.finalizedAt.push(this.tracker.watermark);
    this.finalizedUsers.push(userId);
    this.journal.finalized(id, this.tracker.watermark, userId);
  }

  private forgetFinalizedBefore(limit: number): void {
    const ids = this.finalizedIds;
    const at = this.finalizedAt;
    let head = this.finalizedHead;
    if (head < ids.length && (at[head] as number) < limit)
      this.journal.forgetFinalizedBefore(limit);
    while (head < ids.length && (at[head] as number) < limit) {
      this.finalized.delete(ids[head] as string);
      head++;
    }
    if (head >= 1024 && head * 2 >= ids.length) {
      this.finalizedIds = ids.slice(head);
      this.finalizedAt = at.slice(head);
      this.finalizedUsers = this.finalizedUsers.slice(head);
      head = 0;
    }
    this.finalizedHead = head;
  }

  private emit(
    entry: PendingCheckout,
    isFinal: boolean,
    isLate: boolean,
    messageTime: number | undefined,
  ): void {
    this.outbox.push(this.rowOf(entry, isFinal, isLate, messageTime));
  }

  private rowOf(
    entry: PendingCheckout,
    isFinal: boolean,
    isLate: boolean,
    messageTime: number | undefined,
  ): CheckoutRow {
    const c = entry.checkout;
    return {
      checkoutId: c.checkoutId,
      userId: c.userId,
      userName: entry.userName,
      isUnknownUser: entry.isUnknownUser,
      productId: c.productId,
      paymentMethod: c.paymentMethod,
      totalAmount: c.totalAmount,
      shippingAddress: c.shippingAddress,
      billingAddress: c.billingAddress,
      userAgent: c.userAgent,
      ipAddress: c.ipAddress,
      checkoutTime: c.time,
      clickId: entry.clickId,
      clickTime: entry.clickTime,
      clickTag: entry.clickTag,
      isFinal,
      isLate,
      triggerMessageTime: messageTime ?? null,
    };
  }

  private count(name: keyof PartitionCounters, by = 1): void {
    this.totals[name] += by;
    this.delta[name] += by;
  }
}

/** First index whose checkout time is >= time (lists are sorted by time). */
function lowerBoundByTime(list: PendingCheckout[], time: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as PendingCheckout).checkout.time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Provisional rows held back while a partition catches up with a backlog. The repartitioner reads
// the small checkouts topic far ahead of the clicks topic, so on a backlog a checkout is read long
// before its clicks: it used to cost a provisional row (unattributed), a correction when its click
// arrived, and the final row — 1.8 updates per checkout on bench/peers' uniform backlog, each one
// a new row version through every index. A provisional row whose checkout is more than `leadMs`
// ahead of its partition's slowest source (watermark + lateness) waits here instead; a newer row
// for the checkout replaces it, and a final one (or one no longer ahead) goes straight to the sink.
// Live, every source is within the idle timeout of the newest event, so no row is held (but for
// the first rows after a start, until every source partition has reported: `maxHoldMs` at most).
//
// A held row is written once the partition's slowest source has reached its checkout's time (its
// clicks are read: the row is then right, and the final row follows within the lateness), or after
// `maxHoldMs` of wall clock, whichever comes first: never more than that late. Writing it as soon
// as the sources came within the lead instead wrote most backlog checkouts twice still.
//
// Why this keeps the crash protocol exact: only provisional rows of checkouts still pending are
// held, and a snapshot holds those checkouts, so a restart from it writes their final rows.
// Provisional rows are optional (docs/attribution.md); final rows are never held.
import { MinHeap } from '../../lib/domain/min-heap.ts';
import type { PendingRow } from './sink-writer.ts';

interface HeldRow {
  key: string;
  /** The newest row for the checkout (a replacement keeps the entry: same key, same time). */
  pending: PendingRow;
  /** When the checkout's first held row came: the bound is per checkout. */
  since: number;
}

const byCheckoutTime = (a: HeldRow, b: HeldRow) =>
  a.pending.row.checkoutTime - b.pending.row.checkoutTime;

export class ProvisionalHold {
  /** Insertion order is `since` order: a replacement keeps its place. */
  private readonly held = new Map<string, HeldRow>();
  /** Per partition, by checkout time; an entry no longer in `held` is skipped when it comes up. */
  private readonly byPartition = new Map<number, MinHeap<HeldRow>>();

  constructor(
    private readonly leadMs: number,
    private readonly maxHoldMs: number,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /**
   * Offers a new row: true when it is held (the caller writes nothing now); false when it goes to
   * the sink now, and then any older held row for the checkout is dropped (this one is newer).
   * `slowest`: the partition's watermark + lateness; -Infinity until every source reported, as
   * at the start of a backlog (where most rows were: a worker starting on 600k events wrote
   * 80k of its 146k provisional rows before then), so then every provisional row is held.
   */
  offer(key: string, pending: PendingRow, slowest: number, now: number): boolean {
    const row = pending.row;
    if (row.isFinal || !(row.checkoutTime > slowest + this.leadMs)) {
      this.held.delete(key);
      return false;
    }
    const entry = this.held.get(key);
    if (entry) {
      entry.pending = pending;
      return true;
    }
    const fresh: HeldRow = { key, pending, since: now };
    this.held.set(key, fresh);
    let heap = this.byPartition.get(row.partition);
    if (!heap) this.byPartition.set(row.partition, (heap = new MinHeap(byCheckoutTime)));
    heap.push(fresh);
    return true;
  }

  /**
   * The held rows due now: their partition's slowest source reached their checkout's time
   * (`slowestOf`, watermark + lateness), or they waited `maxHoldMs`.
   */
  release(slowestOf: (partition: number) => number, now: number): [string, PendingRow][] {
    const due: [string, PendingRow][] = [];
    for (const [partition, heap] of this.byPartition) {
      const slowest = slowestOf(partition);
      for (let top = heap.peek(); top; top = heap.peek()) {
        const current = this.held.get(top.key) === top;
        if (current && top.pending.row.checkoutTime > slowest) break;
        heap.pop();
        if (current) {
          due.push([top.key, top.pending]);
          this.held.delete(top.key);
        }
      }
    }
    for (const [key, h] of this.held) {
      if (now - h.since < this.maxHoldMs) break;
      due.push([key, h.pending]);
      this.held.delete(key);
    }
    return due;
  }

  /**
   * Forgets the rows of partitions no longer ours: their next owner restores the checkouts from
   * the snapshot and writes their rows; a stale provisional row from here could only undo its.
   */
  dropUnless(owned: (partition: number) => boolean): void {
    for (const partition of [...this.byPartition.keys()]) {
      if (!owned(partition)) this.byPartition.delete(partition);
    }
    for (const [key, h] of this.held) if (!owned(h.pending.row.partition)) this.held.delete(key);
  }

  /** Every held row (the worker is stopping: it writes what it has). */
  releaseAll(): [string, PendingRow][] {
    const all = [...this.held.values()].map((h): [string, PendingRow] => [h.key, h.pending]);
    this.held.clear();
    this.byPartition.clear();
    return all;
  }
}

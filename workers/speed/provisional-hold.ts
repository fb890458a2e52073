// Provisional rows held back while a partition catches up with a backlog. The repartitioner reads
// the small checkouts topic far ahead of the clicks topic, so on a backlog a checkout is read long
// before its clicks: it used to cost a provisional row (unattributed), a correction when its click
// arrived, and the final row — 1.8 updates per checkout on bench/peers' uniform backlog, each one
// a new row version through every index. A provisional row whose checkout is more than `leadMs`
// ahead of its partition's slowest source (watermark + lateness) waits here instead; a newer
// provisional row for the checkout replaces it (ahead or not), and a final one goes straight to the
// sink and drops it.
// Live, every source is within the idle timeout of the newest event, so no row is held (but for
// the first rows after a start, until every source partition has reported: `maxHoldMs` at most).
// Nor is any once every source of the partition has been read to its end (the repartitioner's
// markers say so): the catch-up is over, and what is still held is written at once. Before, the
// rows of a backlog's last minute waited `maxHoldMs` for the sources to stand still (2 of the 17
// seconds bench/peers' workers took over 600k events).
//
// A held row is written once its checkout's final row is due — the partition's slowest source
// has passed its checkout's time by the allowed lateness, so the watermark has passed it and the
// final row takes the held one's place: one write instead of two — or once none of the
// partition's sources has read further for `maxHoldMs` (quiet or stuck: no final soon; the
// slowest alone would not do: at a start it stays unknown while the others run), or once every
// source has been read to its end, or after `capMs` of wall clock, or when more than `maxHeld` rows wait (the oldest go). While a partition
// catches up, event time runs far faster than the clock and its sources advance all the time.
// Releasing held rows once the sources reached the checkout's time (the row was right then)
// still wrote every backlog checkout twice; bounding the hold by `maxHoldMs` from the row's first
// hold expired most rows of a catch-up longer than that (the checkouts topic is read first).
//
// Why this keeps the crash protocol exact: only provisional rows of checkouts still pending are
// held, and a snapshot holds those checkouts, so a restart from it writes their final rows.
// Provisional rows are optional (docs/attribution.md); final rows are never held.
import { MinHeap } from '../../lib/domain/min-heap.ts';
import type { PendingRow } from './sink-writer.ts';

interface HeldRow {
  key: string;
  /** The checkout's time, kept here for the heap's comparisons (no walk through `pending`). */
  checkoutTime: number;
  /** The newest row for the checkout (a replacement keeps the entry: same key, same time). */
  pending: PendingRow;
  /** When the checkout's first held row came: the bound is per checkout. */
  since: number;
}

const byCheckoutTime = (a: HeldRow, b: HeldRow) => a.checkoutTime - b.checkoutTime;

interface PartitionHold {
  /** Its held rows by checkout time; an entry no longer in `held` is skipped when it comes up. */
  heap: MinHeap<HeldRow>;
  /** Its sources' progress (PartitionProgress.sourceAdvances) when last seen, and since when. */
  advances: number;
  advancedAt: number;
}

/** What the hold asks of a partition when it releases rows. */
export interface PartitionProgress {
  /** The slowest source's largest event time: watermark + lateness (-Infinity until all reported). */
  slowest: number;
  /** Grows whenever one of its sources reads further (WatermarkTracker.sourceAdvances). */
  sourceAdvances: number;
  /** Every source has been read to its end: no backlog left (PartitionRuntime.caughtUp). */
  caughtUp: boolean;
}

export interface ProvisionalHoldLimits {
  /** How far ahead of the slowest source a checkout must be to be held. */
  leadMs: number;
  /** The allowed lateness: the slowest source passes a checkout by it when its row turns final. */
  finalAfterMs: number;
  /** A partition none of whose sources has advanced for this long has its rows written. */
  maxHoldMs: number;
  /** No row waits longer than this. */
  capMs: number;
  /** No more rows than this wait (the oldest go first). */
  maxHeld: number;
}

export class ProvisionalHold {
  /** Insertion order is `since` order: a replacement keeps its place. */
  private readonly held = new Map<string, HeldRow>();
  private readonly byPartition = new Map<number, PartitionHold>();

  constructor(private readonly limits: ProvisionalHoldLimits) {}

  get size(): number {
    return this.held.size;
  }

  /**
   * Offers a new row: true when it is held (the caller writes nothing now); false when it goes to
   * the sink now (a final row also drops the held row for its checkout: it is newer).
   * `progress.slowest`: the partition's watermark + lateness; -Infinity until every source reported, as
   * at the start of a backlog (where most rows were: a worker starting on 600k events wrote
   * 80k of its 146k provisional rows before then), so then every provisional row is held.
   */
  offer(key: string, pending: PendingRow, progress: PartitionProgress, now: number): boolean {
    const row = pending.row;
    if (row.isFinal) {
      this.held.delete(key);
      return false;
    }
    // A correction of a held row stays held even once its checkout is no longer ahead (its click
    // has just been read): written now, it would be followed by the final row a moment later.
    const entry = this.held.get(key);
    if (entry) {
      entry.pending = pending;
      return true;
    }
    if (progress.caughtUp || !(row.checkoutTime > progress.slowest + this.limits.leadMs)) {
      return false;
    }
    const fresh: HeldRow = { key, checkoutTime: row.checkoutTime, pending, since: now };
    this.held.set(key, fresh);
    let partition = this.byPartition.get(row.partition);
    if (!partition) {
      partition = {
        heap: new MinHeap(byCheckoutTime),
        advances: progress.sourceAdvances,
        advancedAt: now,
      };
      this.byPartition.set(row.partition, partition);
    }
    partition.heap.push(fresh);
    return true;
  }

  /**
   * The held rows due now: their partition's slowest source passed their checkout's time by the
   * lateness (most were replaced by their final rows then), or none of its sources advanced for
   * `maxHoldMs`, or all of them have been read to their end; or they waited `capMs`; or too many
   * wait.
   */
  release(
    progressOf: (partition: number) => PartitionProgress,
    now: number,
  ): [string, PendingRow][] {
    const due: [string, PendingRow][] = [];
    const take = (h: HeldRow) => {
      due.push([h.key, h.pending]);
      this.held.delete(h.key);
    };
    for (const [id, partition] of this.byPartition) {
      const { slowest, sourceAdvances, caughtUp } = progressOf(id);
      if (sourceAdvances !== partition.advances) {
        partition.advances = sourceAdvances;
        partition.advancedAt = now;
      }
      const stalled = now - partition.advancedAt >= this.limits.maxHoldMs;
      const horizon = stalled || caughtUp ? Infinity : slowest - this.limits.finalAfterMs;
      const heap = partition.heap;
      for (let top = heap.peek(); top; top = heap.peek()) {
        const current = this.held.get(top.key) === top;
        if (current && top.checkoutTime > horizon) break;
        heap.pop();
        if (current) take(top);
      }
    }
    // Insertion order is `since` order: the oldest first.
    for (const h of this.held.values()) {
      if (now - h.since < this.limits.capMs && this.held.size <= this.limits.maxHeld) break;
      take(h);
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

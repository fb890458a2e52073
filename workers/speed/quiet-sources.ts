// When a quiet source partition may be stamped idle, and with what (docs/design.md, "Quiet
// sources"). Pure: offsets and times come in as arguments.

export interface PartitionOffsets {
  /** Where this worker's consumer stands: after the last record it was handed, control
   * records (transaction markers, aborted records) included. Null before its first batch. */
  position: bigint | null;
  /** The group's committed offset, null if it has none. */
  committed: bigint | null;
  /** The log start offset (first offset still held). */
  low: bigint;
  /** The high watermark: the offset after the last record appended, committed or not. */
  high: bigint;
}

/**
 * Nothing is left to read: every record appended so far has been read by this group. The
 * comparison is with the high watermark, not the last stable offset (what a read_committed
 * reader can reach): the records of a transaction still open were appended before this check,
 * perhaps long before, and stamping past them could make them late once committed. The
 * consumer's own position counts transaction markers and aborted records, which reach the
 * high watermark while no data batch ever does. A partition with nothing in it (never written,
 * or emptied by retention: low = high) is caught up whatever the group has committed.
 */
export function isCaughtUp({ position, committed, low, high }: PartitionOffsets): boolean {
  if (low >= high) return true;
  if (position !== null && position >= high) return true;
  return committed !== null && committed >= high;
}

/** Records behind the end of the partition, for the lag gauge. */
export function lagOf({ position, committed, low, high }: PartitionOffsets): bigint {
  let consumed = low;
  if (position !== null && position > consumed) consumed = position;
  if (committed !== null && committed > consumed) consumed = committed;
  return high > consumed ? high - consumed : 0n;
}

/**
 * G, the stamp of idle markers: the largest event time known before the end offsets are asked
 * for, but never past the wall clock. Whatever G says, the watermark follows it, and an event
 * time in the future (from a clock that ran ahead, or read before the parser refused such
 * times) would make everything after it late. Null if no event time is known.
 */
export function idleStamp(knownEventTimes: Iterable<number | null>, now: number): number | null {
  let stamp = Number.NEGATIVE_INFINITY;
  for (const t of knownEventTimes) if (t !== null && t > stamp) stamp = t;
  stamp = Math.min(stamp, now);
  return Number.isFinite(stamp) ? stamp : null;
}

import { describe, expect, it } from 'vitest';
import { ProvisionalHold } from './provisional-hold.ts';
import type { PendingRow } from './sink-writer.ts';

const LEAD = 30_000;
const LATENESS = 15_000;
const MAX_HOLD = 10_000;
const CAP = 60_000;
/** A partition's progress; by default its sources advance with the slowest, still catching up. */
const at = (slowest: number, sourceAdvances = slowest, caughtUp = false) => ({
  slowest,
  sourceAdvances,
  caughtUp,
});
const limits = {
  leadMs: LEAD,
  finalAfterMs: LATENESS,
  maxHoldMs: MAX_HOLD,
  capMs: CAP,
  maxHeld: 100,
};

function row(id: string, checkoutTime: number, isFinal = false, clickId: string | null = null) {
  const pending: PendingRow = {
    producedAt: 0,
    row: {
      checkoutId: id,
      userId: 1,
      userName: 'u',
      isUnknownUser: false,
      productId: 'p',
      paymentMethod: 'card',
      totalAmount: '1.00',
      shippingAddress: 's',
      billingAddress: 'b',
      userAgent: 'a',
      ipAddress: 'i',
      checkoutTime,
      clickId,
      clickTime: null,
      clickTag: null,
      isFinal,
      isLate: false,
      partition: 0,
    },
  };
  return pending;
}

describe('ProvisionalHold', () => {
  it('holds a provisional row far ahead of the slowest source, and only that', () => {
    const hold = new ProvisionalHold(limits);
    expect(hold.offer('far', row('far', 100_000), at(50_000), 0)).toBe(true);
    expect(hold.offer('near', row('near', 80_000), at(50_000), 0)).toBe(false); // exactly the lead
    expect(hold.offer('final', row('final', 100_000, true), at(50_000), 0)).toBe(false);
    // Until every source reported (a start, most often on a backlog), every provisional row.
    expect(hold.offer('start', row('start', 100_000), at(-Infinity), 0)).toBe(true);
    expect(hold.size).toBe(2);
  });

  it('a newer row replaces the held one; a final one takes its place in the sink', () => {
    const hold = new ProvisionalHold(limits);
    hold.offer('c', row('c', 100_000), at(0), 0);
    expect(hold.offer('c', row('c', 100_000, false, 'k'), at(0), 5)).toBe(true);
    expect(hold.release(() => at(0), MAX_HOLD)).toEqual([['c', row('c', 100_000, false, 'k')]]);
    hold.offer('d', row('d', 100_000), at(0), 0);
    expect(hold.offer('d', row('d', 100_000, true), at(0), 1)).toBe(false);
    expect(hold.size).toBe(0);
    expect(hold.release(() => at(Infinity), 1)).toEqual([]); // the heap's entry for d is gone too
    expect(hold.releaseAll()).toEqual([]);
  });

  it('writes a row once its final row is due (slowest source past it by the lateness), in time order', () => {
    const hold = new ProvisionalHold(limits);
    hold.offer('b', row('b', 200_000), at(0), 0);
    hold.offer('a', row('a', 100_000), at(0), 0);
    const other = row('o', 100_000);
    other.row.partition = 1;
    hold.offer('o', other, at(0), 0);
    // Reaching the checkout's time is not enough: the final row would follow within the lateness.
    expect(hold.release(() => at(100_000), 1)).toEqual([]);
    expect(hold.release(() => at(100_000 + LATENESS - 1), 1)).toEqual([]);
    expect(hold.release((p) => at(p === 0 ? 100_000 + LATENESS : 0), 1).map(([k]) => k)).toEqual([
      'a',
    ]);
    expect(hold.release(() => at(200_000 + LATENESS), 1).map(([k]) => k)).toEqual(['b', 'o']);
  });

  it('keeps a correction of a held row held though its checkout is no longer ahead', () => {
    const hold = new ProvisionalHold(limits);
    expect(hold.offer('c', row('c', 100_000), at(0), 0)).toBe(true);
    // Its click is read: the clicks source is now close to the checkout, the row is attributed.
    expect(hold.offer('c', row('c', 100_000, false, 'k'), at(99_000), 1)).toBe(true);
    expect(hold.size).toBe(1);
    // Then the watermark passes the checkout: the final row goes out, the held one is dropped.
    expect(hold.offer('c', row('c', 100_000, true, 'k'), at(100_000 + LATENESS), 2)).toBe(false);
    expect(hold.size).toBe(0);
    expect(hold.release(() => at(Infinity), 3)).toEqual([]);
    // A row never held is not held once within the lead.
    expect(hold.offer('d', row('d', 100_000), at(99_000), 4)).toBe(false);
  });

  it("writes a partition's held rows once its slowest source stood still for the longest hold", () => {
    const hold = new ProvisionalHold(limits);
    hold.offer('a', row('a', 100_000), at(0), 0);
    const other = row('o', 100_000);
    other.row.partition = 1;
    hold.offer('o', other, at(0), 0);
    // Partition 0's sources keep advancing (a catch-up): its row waits past the longest hold.
    // Partition 1's stand still: its row goes after the longest hold.
    const released: string[] = [];
    for (let t = 1_000; t < 3 * MAX_HOLD; t += 1_000) {
      const rows = hold.release((p) => at(p === 0 ? t : 0), t).map(([k]) => k);
      if (t < MAX_HOLD) expect(rows).toEqual([]);
      released.push(...rows);
    }
    expect(released).toEqual(['o']);
    expect(hold.size).toBe(1);
    // Then they stop (quiet, or stuck): the row goes once they stood still for the longest hold.
    const stoppedAt = 3 * MAX_HOLD - 1_000; // the last time it advanced, to this very value
    expect(hold.release(() => at(stoppedAt), stoppedAt + MAX_HOLD - 1)).toEqual([]);
    expect(hold.release(() => at(stoppedAt), stoppedAt + MAX_HOLD).map(([k]) => k)).toEqual(['a']);
    expect(hold.size).toBe(0);
  });

  it('until every source reported (slowest -Infinity), the rows go after the longest hold', () => {
    const hold = new ProvisionalHold(limits);
    hold.offer('a', row('a', 100_000), at(-Infinity), 0);
    hold.offer('a', row('a', 100_000, false, 'k'), at(-Infinity), 9_000);
    expect(hold.release(() => at(-Infinity), MAX_HOLD - 1)).toEqual([]);
    expect(hold.release(() => at(-Infinity), MAX_HOLD).map(([, p]) => p.row.clickId)).toEqual([
      'k',
    ]);
  });

  it('keeps rows held while the sources advance though the slowest has not reported yet', () => {
    const hold = new ProvisionalHold(limits);
    hold.offer('a', row('a', 100_000), at(-Infinity, 0), 0);
    // A start on a backlog: one source has not reported, the others are read on and on.
    for (let t = 1_000; t <= 3 * MAX_HOLD; t += 1_000) {
      expect(hold.release(() => at(-Infinity, t), t)).toEqual([]);
    }
    // Then nothing moves: written after the longest hold.
    expect(hold.release(() => at(-Infinity, 3 * MAX_HOLD), 4 * MAX_HOLD - 1)).toEqual([]);
    expect(hold.release(() => at(-Infinity, 3 * MAX_HOLD), 4 * MAX_HOLD)).toHaveLength(1);
  });

  it('never holds a row longer than the cap, nor more rows than the limit (oldest first)', () => {
    const hold = new ProvisionalHold({ ...limits, maxHeld: 2 });
    hold.offer('a', row('a', 10_000_000), at(0), 0);
    hold.offer('b', row('b', 10_000_000), at(0), 1_000);
    const advancing = (t: number) => hold.release(() => at(t), t).map(([k]) => k);
    expect(advancing(CAP - 1)).toEqual([]);
    expect(advancing(CAP)).toEqual(['a']);
    hold.offer('c', row('c', 10_000_000), at(CAP), CAP + 1);
    hold.offer('d', row('d', 10_000_000), at(CAP), CAP + 2);
    expect(advancing(CAP + 3)).toEqual(['b']); // three held, two allowed: the oldest goes
    expect(hold.size).toBe(2);
  });

  it('forgets the rows of partitions moved away, and gives back all the rest on stop', () => {
    const hold = new ProvisionalHold(limits);
    const moved = row('m', 100_000);
    moved.row.partition = 3;
    hold.offer('m', moved, at(0), 0);
    hold.offer('k', row('k', 100_000), at(0), 0);
    hold.dropUnless((p) => p === 0);
    expect(hold.releaseAll().map(([k]) => k)).toEqual(['k']);
    expect(hold.size).toBe(0);
  });
  it('holds nothing once every source was read to its end, and writes what it held then', () => {
    const hold = new ProvisionalHold(limits);
    // A backlog's last checkouts: far ahead of the slowest source, held while it catches up.
    expect(hold.offer('a', row('a', 100_000), at(50_000), 0)).toBe(true);
    expect(hold.offer('b', row('b', 110_000), at(50_000), 0)).toBe(true);
    // Still catching up, and not final yet: nothing is due, however much the sources advance.
    expect(hold.release(() => at(60_000), 100)).toEqual([]);
    // Every source read to its end: the catch-up is over, the rest is live traffic.
    const caughtUp = at(60_000, 60_000, true);
    expect(hold.offer('c', row('c', 120_000), caughtUp, 200)).toBe(false);
    expect(hold.release(() => caughtUp, 200).map(([key]) => key)).toEqual(['a', 'b']);
    expect(hold.size).toBe(0);
  });
});

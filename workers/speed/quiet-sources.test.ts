import { describe, expect, it } from 'vitest';
import { idleStamp, isCaughtUp, lagOf } from './quiet-sources.ts';

describe('isCaughtUp', () => {
  it.each([
    // position, committed, low, high
    { what: 'never written', o: [null, null, 0n, 0n], expected: true },
    { what: 'emptied by retention, never read', o: [null, null, 40n, 40n], expected: true },
    { what: 'read to the end (data batch)', o: [12n, null, 0n, 12n], expected: true },
    { what: 'position past a commit marker', o: [13n, 11n, 0n, 13n], expected: true },
    { what: 'committed by another member', o: [5n, 13n, 0n, 13n], expected: true },
    { what: 'records left to read', o: [10n, 10n, 0n, 13n], expected: false },
    { what: 'nothing read, nothing committed', o: [null, null, 0n, 3n], expected: false },
    // An open transaction: the high watermark is past what read_committed can reach.
    { what: 'open transaction ahead', o: [20n, 20n, 0n, 22n], expected: false },
  ])('$what: $expected', ({ o: [position, committed, low, high], expected }) => {
    expect(isCaughtUp({ position, committed, low, high })).toBe(expected);
  });
});

describe('lagOf', () => {
  it('counts from the furthest of position, committed offset and log start', () => {
    expect(lagOf({ position: 5n, committed: 8n, low: 0n, high: 10n })).toBe(2n);
    expect(lagOf({ position: null, committed: null, low: 7n, high: 10n })).toBe(3n);
    expect(lagOf({ position: 12n, committed: null, low: 0n, high: 10n })).toBe(0n);
  });
});

describe('idleStamp', () => {
  const now = Date.UTC(2026, 10, 29, 12);
  it('is the largest known event time', () => {
    expect(idleStamp([now - 5_000, null, now - 1_000], now)).toBe(now - 1_000);
  });
  it('never passes the wall clock', () => {
    expect(idleStamp([now + 86_400_000, now - 1_000], now)).toBe(now);
  });
  it('is null when no event time is known', () => {
    expect(idleStamp([null, null], now)).toBeNull();
    expect(idleStamp([], now)).toBeNull();
  });
});

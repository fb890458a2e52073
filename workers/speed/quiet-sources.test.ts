import { describe, expect, it } from 'vitest';
import { idleStamp, isCaughtUp, lagOf, type PartitionOffsets } from './quiet-sources.ts';

describe('isCaughtUp', () => {
  it.each([
    {
      what: 'never written',
      o: { position: null, committed: null, low: 0n, high: 0n },
      expected: true,
    },
    {
      what: 'emptied by retention, never read',
      o: { position: null, committed: null, low: 40n, high: 40n },
      expected: true,
    },
    {
      what: 'read to the end (data batch)',
      o: { position: 12n, committed: null, low: 0n, high: 12n },
      expected: true,
    },
    {
      what: 'position past a commit marker',
      o: { position: 13n, committed: 11n, low: 0n, high: 13n },
      expected: true,
    },
    {
      what: 'committed by another member',
      o: { position: 5n, committed: 13n, low: 0n, high: 13n },
      expected: true,
    },
    {
      what: 'records left to read',
      o: { position: 10n, committed: 10n, low: 0n, high: 13n },
      expected: false,
    },
    {
      what: 'nothing read, nothing committed',
      o: { position: null, committed: null, low: 0n, high: 3n },
      expected: false,
    },
    // An open transaction: the high watermark is past what read_committed can reach.
    {
      what: 'open transaction ahead',
      o: { position: 20n, committed: 20n, low: 0n, high: 22n },
      expected: false,
    },
  ] satisfies { what: string; o: PartitionOffsets; expected: boolean }[])(
    '$what: $expected',
    ({ o, expected }) => {
      expect(isCaughtUp(o)).toBe(expected);
    },
  );
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

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoTimestamp, parseTimestamp, parseTimestampByPattern } from './timestamp.ts';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Timestamps near the grammar: mostly well formed, with any field or separator off. */
const nearTimestamp = fc
  .record({
    year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1970, 2000, 2024, 2026)),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 24 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 60 }),
    sep: fc.constantFrom(' ', 'T', 't', '_', 'TT'),
    dash: fc.constantFrom('-', '-', '-', '/'),
    fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^[.,][0-9]{0,11}$/)),
    zone: fc.constantFrom('', '', 'Z', 'z', '+01:00', '-0530', '+23', '+24:00', 'Zz', ' ', '\n'),
  })
  .map(
    (t) =>
      `${pad(t.year, 4)}${t.dash}${pad(t.month, 2)}-${pad(t.day, 2)}${t.sep}` +
      `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction}${t.zone}`,
  );

describe('parseTimestamp', () => {
  it('answers as the whole grammar does, for any text (its fast path included)', () => {
    fc.assert(
      fc.property(fc.oneof(nearTimestamp, fc.string({ maxLength: 32 })), (text) => {
        expect(parseTimestamp(text)).toEqual(parseTimestampByPattern(text));
      }),
      { numRuns: 5_000 },
    );
  }, 30_000);

  it('reads the common shapes to the millisecond, truncating finer fractions', () => {
    expect(parseTimestamp('2026-11-01 00:00:00')).toEqual({
      ok: true,
      time: Date.UTC(2026, 10, 1),
    });
    expect(parseTimestamp('2024-02-29T23:59:59.9999Z')).toEqual({
      ok: true,
      time: Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    });
    expect(parseTimestamp('2026-01-02 03:04:05.6')).toEqual({
      ok: true,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 600),
    });
    expect(parseTimestamp('2023-02-29 00:00:00').ok).toBe(false);
  });

  it('takes a fraction of any length, after a dot or a comma (both ISO 8601)', () => {
    const ms827 = { ok: true, time: Date.UTC(2026, 11, 1, 5, 35, 16, 827) };
    expect(parseTimestamp('2026-12-01T05:35:16.8270000000Z')).toEqual(ms827);
    expect(parseTimestamp('2026-12-01T05:35:16.827999999999999999999Z')).toEqual(ms827);
    expect(parseTimestamp('2026-12-01T05:35:16,827Z')).toEqual(ms827);
    expect(parseTimestamp('2026-12-01 05:35:16,8271')).toEqual(ms827);
    expect(parseTimestamp('2026-12-01T05:35:16.Z').ok).toBe(false);
    expect(parseTimestamp('2026-12-01T05:35:16,Z').ok).toBe(false);
    expect(parseTimestamp('2026-12-01T05:35:16;827Z').ok).toBe(false);
  });
});

describe('formatIsoTimestamp', () => {
  const MAX_DATE = 8.64e15;
  it('writes what Date.prototype.toISOString writes, for every instant a Date holds', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 253_402_300_799_999 }),
          fc.integer({ min: -MAX_DATE, max: MAX_DATE }),
          fc.constantFrom(0, 951_782_400_000, 4_107_542_399_999, 253_402_300_799_999, -1),
        ),
        (time) => {
          expect(formatIsoTimestamp(time)).toBe(new Date(time).toISOString());
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('round-trips through parseTimestamp', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (time) => {
        expect(parseTimestamp(formatIsoTimestamp(time))).toEqual({ ok: true, time });
      }),
    );
  });
});

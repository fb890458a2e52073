import { describe, expect, it } from 'vitest';
import { isoDate, unscaledDecimal } from './delta-values.ts';

describe('value conventions', () => {
  it.each([
    ['19.90', 2, 1990n],
    ['0', 2, 0n],
    ['7.5', 2, 750n],
    ['123456789012345678901234567890123456.78', 2, 12345678901234567890123456789012345678n],
  ])('unscaledDecimal(%s, %d) = %s', (text, scale, expected) =>
    expect(unscaledDecimal(text, scale)).toBe(expected),
  );

  it('rejects decimals with too many places', () =>
    expect(() => unscaledDecimal('1.234', 2)).toThrow());

  it('isoDate is the UTC date, also before 1970 and near midnight', () => {
    expect(isoDate(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe('2024-02-29');
    expect(isoDate(-1)).toBe('1969-12-31');
  });
});

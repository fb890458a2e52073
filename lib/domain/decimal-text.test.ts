import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountText, exactDecimal, safeInteger, type ExactDecimal } from './decimal-text.ts';

const literal = fc.record({
  sign: fc.constantFrom('', '-'),
  whole: fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,45}$/)),
  fraction: fc.stringMatching(/^[0-9]{0,45}$/),
  exponent: fc.integer({ min: -60, max: 60 }),
  marker: fc.constantFrom('e', 'E', 'e+', 'E-'),
});
type Literal = typeof literal extends fc.Arbitrary<infer T> ? T : never;

const text = (l: Literal) =>
  `${l.sign}${l.whole}${l.fraction ? `.${l.fraction}` : ''}${l.exponent === 0 ? '' : `${l.marker.replace(/[+-]/, '')}${l.exponent}`}`;

/** The value of a literal as numerator / 10^scale, by BigInt arithmetic (the oracle). */
function rational(l: Literal): { numerator: bigint; scale: number } {
  const numerator = BigInt(`${l.whole}${l.fraction}`) * (l.sign === '-' ? -1n : 1n);
  return { numerator, scale: l.fraction.length - l.exponent };
}

/** numerator / 10^scale === value of d */
function equals(d: ExactDecimal, { numerator, scale }: { numerator: bigint; scale: number }) {
  if (d.digits === '') return numerator === 0n;
  const mine = BigInt(d.digits) * (d.negative ? -1n : 1n);
  const shift = d.exponent + scale; // mine × 10^exponent = numerator × 10^-scale
  return shift >= 0
    ? mine * 10n ** BigInt(shift) === numerator
    : mine === numerator * 10n ** BigInt(-shift);
}

describe('exactDecimal', () => {
  it('gives the exact value of any literal, digits without leading or trailing zeros', () => {
    fc.assert(
      fc.property(literal, (l) => {
        const d = exactDecimal(text(l))!;
        expect(equals(d, rational(l))).toBe(true);
        expect(d.digits).not.toMatch(/^0|0$/);
      }),
      { numRuns: 3000 },
    );
  });

  it.each(['', '-', '01', '1.', '.5', '+1', '1e', '0x10', ' 1', 'NaN', 'Infinity'])(
    'refuses %j, which is no JSON number',
    (t) => expect(exactDecimal(t)).toBeUndefined(),
  );
});

describe('amountText', () => {
  it('agrees with BigInt arithmetic on every literal', () => {
    fc.assert(
      fc.property(literal, (l) => {
        const { numerator, scale } = rational(l);
        const result = amountText(exactDecimal(text(l))!);
        // cents = numerator × 10^(2 - scale), exact only when that is an integer
        const cents =
          scale <= 2
            ? numerator * 10n ** BigInt(2 - scale)
            : numerator % 10n ** BigInt(scale - 2) === 0n
              ? numerator / 10n ** BigInt(scale - 2)
              : undefined;
        if (numerator < 0n) expect(result).toEqual({ ok: false, kind: 'negative_amount' });
        else if (cents === undefined)
          expect(result).toEqual({ ok: false, kind: 'too_many_decimals' });
        else if (cents >= 10n ** 38n)
          expect(result).toEqual({ ok: false, kind: 'amount_out_of_range' });
        else {
          const digits = cents.toString().padStart(3, '0');
          expect(result).toEqual({ ok: true, text: `${digits.slice(0, -2)}.${digits.slice(-2)}` });
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('safeInteger', () => {
  it('agrees with BigInt arithmetic on every literal', () => {
    fc.assert(
      fc.property(literal, (l) => {
        const { numerator, scale } = rational(l);
        const result = safeInteger(exactDecimal(text(l))!);
        const unit = scale > 0 ? 10n ** BigInt(scale) : 1n;
        const value = scale > 0 ? numerator / unit : numerator * 10n ** BigInt(-scale);
        if (scale > 0 && numerator % unit !== 0n)
          expect(result).toEqual({ ok: false, problem: 'fraction' });
        else if (value > 2n ** 53n - 1n || value < -(2n ** 53n - 1n))
          expect(result).toEqual({ ok: false, problem: 'unsafe' });
        else expect(result).toEqual({ ok: true, value: Number(value) });
      }),
      { numRuns: 3000 },
    );
  });
});

// Exact values of JSON number literals, judged on their digits as written (spec: amounts and ids
// are not judged on a parsed double, which turns 0.1000000000000000001 into 0.1). Pure, no float
// arithmetic on the value, linear in the length of the literal whatever its exponent.

/** value = (negative ? -1 : 1) × digits × 10^exponent; zero has digits '' (and is never negative). */
export interface ExactDecimal {
  negative: boolean;
  /** Significant digits: no leading or trailing zeros. */
  digits: string;
  /** May be ±Infinity for absurd exponents (1e99999999999999999999999): still compares right. */
  exponent: number;
}

const JSON_NUMBER = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** The exact value of a JSON number literal, or undefined if `text` is not one. */
export function exactDecimal(text: string): ExactDecimal | undefined {
  const m = JSON_NUMBER.exec(text);
  if (!m) return undefined;
  const [, sign, whole = '', fraction = '', exponentText] = m;
  const all = whole + fraction;
  let start = 0;
  while (start < all.length && all.charCodeAt(start) === 0x30) start++;
  let end = all.length;
  while (end > start && all.charCodeAt(end - 1) === 0x30) end--;
  if (start === end) return { negative: false, digits: '', exponent: 0 };
  const written = exponentText === undefined ? 0 : Number(exponentText);
  return {
    negative: sign === '-',
    digits: all.slice(start, end),
    exponent: written - fraction.length + (all.length - end),
  };
}

/** Integer digits of a non-zero value (0 when |value| < 1). */
const integerDigits = (d: ExactDecimal): number => Math.max(0, d.digits.length + d.exponent);

export type AmountResult =
  | { ok: true; text: string }
  | { ok: false; kind: 'negative_amount' | 'too_many_decimals' | 'amount_out_of_range' };

/** DECIMAL(38,2), the type of every store (PostgreSQL, the lake, Redshift): 36 integer digits. */
export const MAX_AMOUNT_INTEGER_DIGITS = 36;

/**
 * The amount as exact text with two decimals ("19.90", "100.00" for 1e2, "0.00" for -0), or why
 * not: negative, more than 2 decimals once trailing zeros are dropped (19.990 is fine), or more
 * than 36 integer digits.
 */
export function amountText(d: ExactDecimal): AmountResult {
  if (d.digits === '') return { ok: true, text: '0.00' };
  if (d.negative) return { ok: false, kind: 'negative_amount' };
  if (d.exponent < -2) return { ok: false, kind: 'too_many_decimals' };
  if (integerDigits(d) > MAX_AMOUNT_INTEGER_DIGITS) {
    return { ok: false, kind: 'amount_out_of_range' };
  }
  const cents = (d.digits + '0'.repeat(d.exponent + 2)).padStart(3, '0');
  return { ok: true, text: `${cents.slice(0, -2)}.${cents.slice(-2)}` };
}

export type IntegerResult =
  { ok: true; value: number } | { ok: false; problem: 'fraction' | 'unsafe' };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The value as a safe integer (|n| ≤ 2^53 − 1, so every double-based reader holds it exactly;
 * -0 is 0), or why not: it has a fractional part, or it is too large.
 */
export function safeInteger(d: ExactDecimal): IntegerResult {
  if (d.digits === '') return { ok: true, value: 0 };
  if (d.exponent < 0) return { ok: false, problem: 'fraction' };
  const length = integerDigits(d);
  if (length > 16) return { ok: false, problem: 'unsafe' };
  if (length <= 15) {
    // Below 10^15 < 2^53 every integer is a double: no BigInt on the common path.
    const value = Number(d.digits) * 10 ** d.exponent;
    return { ok: true, value: d.negative ? -value : value };
  }
  const magnitude = BigInt(d.digits + '0'.repeat(d.exponent));
  if (magnitude > MAX_SAFE) return { ok: false, problem: 'unsafe' };
  const value = Number(magnitude);
  return { ok: true, value: d.negative ? -value : value };
}

// The value conventions of the column buffers, from the forms rows usually carry: an epoch-ms
// instant to a date column's day number or partition value, exact decimal text to the unscaled
// integer a decimal column holds. Pure.

/** Days since 1970-01-01 of an epoch-ms instant (UTC). */
export const epochDay = (ms: number): number => Math.floor(ms / 86_400_000);

/** `YYYY-MM-DD` (UTC) of an epoch-ms instant: the partition value of a date column. */
export function isoDate(ms: number): string {
  return new Date(epochDay(ms) * 86_400_000).toISOString().slice(0, 10);
}

/** Unscaled integer of exact decimal text ("19.90" at scale 2 → 1990n), or throws. */
export function unscaledDecimal(text: string, scale: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const fraction = m[3] ?? '';
  if (fraction.length > scale) throw new Error(`${text} has more than ${scale} decimals`);
  const value = BigInt(`${m[2]}${fraction.padEnd(scale, '0')}`);
  return m[1] === '-' ? -value : value;
}

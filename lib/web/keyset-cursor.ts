// Opaque keyset-pagination cursors for the checkout browser: the (checkout_time, checkout_id) of
// a row, base64url-encoded JSON. Millisecond precision matches the column's timestamptz(3), so a
// cursor lands exactly between two rows and a page never skips or repeats one.
import { isStorableText } from '../domain/storable-text.ts';

export interface CheckoutCursor {
  /** checkout_time, epoch ms. */
  t: number;
  id: string;
}

export function encodeCursor(cursor: CheckoutCursor): string {
  return Buffer.from(JSON.stringify([cursor.t, cursor.id]), 'utf8').toString('base64url');
}

/** The cursor, or undefined when `text` is not one this module wrote. */
export function decodeCursor(text: string): CheckoutCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [t, id] = value as unknown[];
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || typeof id !== 'string')
      return undefined;
    // Years 0001-9999, as the database stores them: anything else would be a 500, not a 400.
    if (t < -62_135_596_800_000 || t > 253_402_300_799_999) return undefined;
    if (id.length === 0 || id.length > 200 || !isStorableText(id)) return undefined;
    return { t, id };
  } catch {
    return undefined;
  }
}

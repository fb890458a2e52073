// The checks of the one gate (events.ts) on values already of the right type, written once for
// every encoding: JSON (events.ts) and Avro (avro-events.ts) judge a field with these, so an
// event is refused for the same reason, with the same words, whichever way it was written.
// Pure: the reading process's clock comes in as an argument.
import { amountText, safeInteger, type ExactDecimal } from './decimal-text.ts';
import type { DeadLetterKind, ParseOptions } from './events.ts';
import { MAX_EVENT_TIME, MIN_EVENT_TIME, parseTimestamp } from './timestamp.ts';

export type Failure = { ok: false; kind: DeadLetterKind; reason: string };

export const fail = (kind: DeadLetterKind, detail?: string): Failure => ({
  ok: false,
  kind,
  reason: detail === undefined ? kind : `${kind}: ${detail}`,
});

/** The JSON type of a value, as reasons name it. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A value as a reason quotes it: at most 64 characters. */
export const shorten = (value: string) => (value.length > 64 ? `${value.slice(0, 64)}…` : value);

/**
 * The longest text every store holds, in UTF-8 bytes. Ids are keys of PostgreSQL btree indexes
 * (an index row holds at most 2704 bytes); any text is a VARCHAR(65535) in Redshift Spectrum.
 */
export const MAX_ID_BYTES = 1024;
export const MAX_TEXT_BYTES = 65_535;
/** The fields that must be non-empty and fit MAX_ID_BYTES. */
export const ID_FIELDS: ReadonlySet<string> = new Set(['click_id', 'checkout_id', 'product_id']);

/** What a field must be, as a wrong_type reason says it (text fields: 'a string'). */
export const EXPECTED: Readonly<Record<string, string>> = {
  user_id: 'an integer (JSON number)',
  price: 'a finite number',
  total_amount: 'a number',
};

export const expectedOf = (field: string): string => EXPECTED[field] ?? 'a string';

/** `field` holds a value of the wrong type, described as `got`. */
export const wrongType = (field: string, got: string, expected = expectedOf(field)): Failure =>
  fail('wrong_type', `${field} must be ${expected}, got ${got}`);

export const emptyField = (field: string): Failure =>
  fail('empty_field', `${field} must be a non-empty string`);

// NUL and unpaired surrogates are valid in JSON strings but cannot be stored in PostgreSQL text.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isStorable = (text: string): boolean =>
  !text.includes('\u0000') && !UNPAIRED_SURROGATE.test(text);

/** UTF-8 length of a well-formed string (no lone surrogates: checked before). */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x800)
      bytes += c >= 0xd800 && c <= 0xdfff ? 1 : 2; // a pair: 4 bytes for 2 units
    else if (c >= 0x80) bytes += 1;
  }
  return bytes;
}

/**
 * The content checks of a text field: non-empty for ids, storable (no NUL, no lone surrogate),
 * within its length limit. Undefined when the text passes.
 */
export function textProblem(field: string, value: string): Failure | undefined {
  const isId = ID_FIELDS.has(field);
  if (isId && value.length === 0) return emptyField(field);
  if (!isStorable(value)) {
    return fail('invalid_text', `${field} contains U+0000 or an unpaired surrogate`);
  }
  const limit = isId ? MAX_ID_BYTES : MAX_TEXT_BYTES;
  // A UTF-16 unit is at most 3 bytes of UTF-8: most strings need no counting.
  if (value.length * 3 > limit && utf8Length(value) > limit) {
    return fail('too_long', `${field} is longer than ${limit} bytes of UTF-8`);
  }
  return undefined;
}

/**
 * user_id from its exact value: an integer every double-based reader holds (|n| ≤ 2^53 − 1),
 * negative allowed. `got` says what the value is when it is not one; `expected` what it must be.
 */
export function userIdOf(
  decimal: ExactDecimal,
  got: (problem: 'fraction' | 'unsafe') => string,
  expected?: string,
): { ok: true; value: number } | Failure {
  const id = safeInteger(decimal);
  if (id.ok) return id;
  return wrongType('user_id', got(id.problem), expected);
}

/** total_amount as exact text with two decimals, judged on its exact value; `shown` quotes it. */
export function totalAmountOf(
  decimal: ExactDecimal,
  shown: string,
): { ok: true; text: string } | Failure {
  const amount = amountText(decimal);
  if (amount.ok) return amount;
  const quoted = shorten(shown);
  switch (amount.kind) {
    case 'negative_amount':
      return fail('negative_amount', `total_amount ${quoted} < 0`);
    case 'too_many_decimals':
      return fail('too_many_decimals', `total_amount ${quoted} has more than 2 decimals`);
    case 'amount_out_of_range':
      return fail('amount_out_of_range', `total_amount ${quoted} has more than 36 integer digits`);
  }
}

export function checkOptions(options: ParseOptions): void {
  if (!Number.isFinite(options.now) || !(options.maxFutureSkewMs >= 0)) {
    throw new Error(
      `parse options need a finite clock and a skew >= 0, got ${JSON.stringify(options)}`,
    );
  }
}

/** An event time in range, refused when too far ahead of the reader's clock. */
function notInFuture(
  time: number,
  shown: string,
  options: ParseOptions,
): { ok: true; time: number } | Failure {
  const ahead = time - options.now;
  if (ahead > options.maxFutureSkewMs) {
    return fail(
      'future_timestamp',
      `datetime_occured ${shown} is ${ahead} ms ahead of the reader's clock (at most ${options.maxFutureSkewMs} allowed)`,
    );
  }
  return { ok: true, time };
}

/** The event time of timestamp text, refused when unparseable, outside 0001-9999, or too far ahead. */
export function eventTimeOfText(
  value: string,
  options: ParseOptions,
): { ok: true; time: number } | Failure {
  const result = parseTimestamp(value);
  const shown = JSON.stringify(shorten(value)); // reasons stay short
  if (!result.ok) return fail('bad_timestamp', `datetime_occured ${shown}: ${result.reason}`);
  return notInFuture(result.time, shown, options);
}

/** The event time of epoch milliseconds (Avro timestamp-millis), with the same bounds. */
export function eventTimeOfMillis(
  millis: bigint,
  options: ParseOptions,
): { ok: true; time: number } | Failure {
  const shown = `${millis} (timestamp-millis)`;
  if (millis < BigInt(MIN_EVENT_TIME) || millis > BigInt(MAX_EVENT_TIME)) {
    return fail(
      'bad_timestamp',
      `datetime_occured ${shown}: the instant (UTC) is outside the years 0001-9999`,
    );
  }
  return notInFuture(Number(millis), shown, options);
}

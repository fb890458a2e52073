// The zod-based parser of lib/domain/events.ts as it was before the hand-written one replaced it
// (issue 13: the zod pass was the largest slice of the speed workers' CPU after GC), frozen here as
// the reference of the differential test (events-differential.test.ts): the shipping parser must
// accept the same events with the same fields and refuse the same messages with the same reasons.
// Kept verbatim but for its imports and the writers (toClickWire...), which it does not need.
// Its original header follows.
//
// > The wire format of `clicks` and `checkouts` (docs/attribution.md) and its one
// > parser: the only place that refuses input. Whatever it accepts, every later stage (state,
// > sink, lake, models) must accept too. Every field of the spec tables is required and non-null;
// > unknown fields are ignored. A message either parses into an event or yields a dead-letter
// > reason `<kind>: <detail>`. Pure: the reading process's clock comes in as an argument.
import { z } from 'zod';
import { amountText, exactDecimal, safeInteger } from '../../../lib/domain/decimal-text.ts';
import { topLevelNumberTexts } from './json-number-text.ts';
import { parseTimestamp } from '../../../lib/domain/timestamp.ts';

export interface Click {
  clickId: string;
  userId: number;
  productId: string;
  product: string;
  price: number;
  url: string;
  userAgent: string;
  ipAddress: string;
  /** Event time (`datetime_occured`), epoch milliseconds. */
  time: number;
}

export interface Checkout {
  checkoutId: string;
  userId: number;
  productId: string;
  paymentMethod: string;
  /**
   * Exact decimal text with two decimals, e.g. "19.90", from the digits as written in the
   * message (no float rounding anywhere): up to 36 integer digits, DECIMAL(38,2).
   */
  totalAmount: string;
  shippingAddress: string;
  billingAddress: string;
  userAgent: string;
  ipAddress: string;
  /** Event time (`datetime_occured`), epoch milliseconds. */
  time: number;
}

/** The stable prefixes of dead-letter reasons; usable as a metric label. */
export const DEAD_LETTER_KINDS = [
  'invalid_json',
  'not_an_object',
  'missing_field',
  'wrong_type',
  'empty_field',
  'invalid_text',
  'too_long',
  'bad_timestamp',
  'future_timestamp',
  'negative_amount',
  'too_many_decimals',
  'amount_out_of_range',
] as const;
export type DeadLetterKind = (typeof DEAD_LETTER_KINDS)[number];

export type ParseResult<E> =
  { ok: true; event: E } | { ok: false; kind: DeadLetterKind; reason: string };

/** What the parser needs from the reading process: its clock, and how far ahead events may be. */
export interface ParseOptions {
  /** The reading process's wall clock (epoch ms) when it reads the message. */
  now: number;
  /** MAX_FUTURE_SKEW_MS: an event time later than `now` + this is `future_timestamp`. */
  maxFutureSkewMs: number;
}

/** MAX_FUTURE_SKEW_MS's default (lib/config.ts), for tools that read no configuration. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 60_000;

/** A Kafka message: its value, or null for a tombstone. */
export type RawMessage = Uint8Array | string | null;

const nonEmptyText = z.string().min(1);
const text = z.string();
// user_id and total_amount are judged on their digits as written (decimal-text.ts), so zod only
// checks that they are JSON numbers: 1e999, Infinity as a double, is then too large, not a type error.
const jsonNumber = z.custom<number>((v) => typeof v === 'number');
// zod 4 numbers are finite, so a price of 1e999 (parsed as Infinity) is a wrong type.
const finiteNumber = z.number();

export const clickWireSchema = z.object({
  click_id: nonEmptyText,
  user_id: jsonNumber,
  product_id: nonEmptyText,
  product: text,
  price: finiteNumber,
  url: text,
  user_agent: text,
  ip_address: text,
  datetime_occured: text,
});
export type ClickWire = z.infer<typeof clickWireSchema>;

export const checkoutWireSchema = z.object({
  checkout_id: nonEmptyText,
  user_id: jsonNumber,
  product_id: nonEmptyText,
  payment_method: text,
  total_amount: jsonNumber,
  shipping_address: text,
  billing_address: text,
  user_agent: text,
  ip_address: text,
  datetime_occured: text,
});
export type CheckoutWire = z.infer<typeof checkoutWireSchema>;

const EXPECTED: Record<string, string> = {
  user_id: 'an integer (JSON number)',
  price: 'a finite number',
  total_amount: 'a number',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

// NUL and unpaired surrogates are valid in JSON strings but cannot be stored in PostgreSQL text.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isStorable = (text: string): boolean =>
  !text.includes('\u0000') && !UNPAIRED_SURROGATE.test(text);

/**
 * The longest text every store holds, in UTF-8 bytes. Ids are keys of PostgreSQL btree indexes
 * (an index row holds at most 2704 bytes); any text is a VARCHAR(65535) in Redshift Spectrum.
 */
export const MAX_ID_BYTES = 1024;
export const MAX_TEXT_BYTES = 65_535;
const ID_FIELDS = new Set(['click_id', 'checkout_id', 'product_id']);

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

type Failure = { ok: false; kind: DeadLetterKind; reason: string };
const fail = (kind: DeadLetterKind, detail?: string): Failure => ({
  ok: false,
  kind,
  reason: detail === undefined ? kind : `${kind}: ${detail}`,
});

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const shorten = (value: string) => (value.length > 64 ? `${value.slice(0, 64)}…` : value);

/** Decodes and JSON-parses a message into a plain object (and its text), or fails. */
function readObject(
  raw: RawMessage,
): { ok: true; obj: Record<string, unknown>; text: string } | Failure {
  if (raw === null) return fail('invalid_json', 'tombstone: the message has no value');
  let textValue: string;
  if (typeof raw === 'string') {
    textValue = raw;
  } else {
    try {
      textValue = utf8.decode(raw);
    } catch {
      return fail('invalid_json', 'message is not valid UTF-8');
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(textValue);
  } catch (error) {
    return fail('invalid_json', (error as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('not_an_object', `message is ${describe(value)}, expected a JSON object`);
  }
  return { ok: true, obj: value as Record<string, unknown>, text: textValue };
}

/**
 * Validates the wire object field by field in spec order and reports the first problem, so a
 * message always gets the same reason. zod decides the types; content checks follow, and
 * user_id is judged on its digits as written: the literals of `numberKeys` are read from `text`
 * once the types are right, and returned for the caller's use too.
 */
function validate<S extends z.ZodObject>(
  schema: S,
  obj: Record<string, unknown>,
  text: string,
  numberKeys: readonly string[],
): { ok: true; wire: z.infer<S>; userId: number; numbers: NumberTexts } | Failure {
  let numbers: NumberTexts = {};
  let userId: number | undefined;
  const parsed = schema.safeParse(obj);
  const issues = parsed.success ? [] : parsed.error.issues;
  for (const field of Object.keys(schema.shape)) {
    if (!Object.hasOwn(obj, field) || obj[field] === undefined) return fail('missing_field', field);
    const value = obj[field];
    const issue = issues.find((i) => i.path[0] === field);
    if (issue) {
      if (issue.code === 'too_small' && typeof value === 'string') {
        return fail('empty_field', `${field} must be a non-empty string`);
      }
      const expected = EXPECTED[field] ?? 'a string';
      return fail('wrong_type', `${field} must be ${expected}, got ${describe(value)}`);
    }
    if (typeof value === 'string') {
      if (!isStorable(value)) {
        return fail('invalid_text', `${field} contains U+0000 or an unpaired surrogate`);
      }
      const limit = ID_FIELDS.has(field) ? MAX_ID_BYTES : MAX_TEXT_BYTES;
      // A UTF-16 unit is at most 3 bytes of UTF-8: most strings need no counting.
      if (value.length * 3 > limit && utf8Length(value) > limit) {
        return fail('too_long', `${field} is longer than ${limit} bytes of UTF-8`);
      }
    }
    if (field === 'user_id') {
      numbers = topLevelNumberTexts(text, numberKeys);
      const id = userIdOf(numbers.user_id);
      if (!id.ok) return id;
      userId = id.value;
    }
  }
  if (!parsed.success) throw new Error('unreachable: zod failed on no listed field');
  if (userId === undefined) throw new Error('unreachable: the schema has no user_id');
  return { ok: true, wire: parsed.data, userId, numbers };
}

/** user_id: an integer JSON holds exactly (|n| ≤ 2^53 − 1), negative allowed, as written. */
function userIdOf(written: string | undefined): { ok: true; value: number } | Failure {
  const decimal = written === undefined ? undefined : exactDecimal(written);
  if (decimal === undefined) throw new Error('unreachable: user_id is a number without its text');
  const id = safeInteger(decimal);
  if (id.ok) return id;
  const got = id.problem === 'unsafe' ? 'an unsafe integer' : 'number';
  return fail('wrong_type', `user_id must be ${EXPECTED.user_id}, got ${got}`);
}

/** total_amount as exact text, judged on the digits as written. */
function totalAmountOf(written: string | undefined): { ok: true; text: string } | Failure {
  const decimal = written === undefined ? undefined : exactDecimal(written);
  if (decimal === undefined)
    throw new Error('unreachable: total_amount is a number without its text');
  const amount = amountText(decimal);
  if (amount.ok) return amount;
  const shown = shorten(written!);
  switch (amount.kind) {
    case 'negative_amount':
      return fail('negative_amount', `total_amount ${shown} < 0`);
    case 'too_many_decimals':
      return fail('too_many_decimals', `total_amount ${shown} has more than 2 decimals`);
    case 'amount_out_of_range':
      return fail('amount_out_of_range', `total_amount ${shown} has more than 36 integer digits`);
  }
}

function checkOptions(options: ParseOptions): void {
  if (!Number.isFinite(options.now) || !(options.maxFutureSkewMs >= 0)) {
    throw new Error(
      `parse options need a finite clock and a skew >= 0, got ${JSON.stringify(options)}`,
    );
  }
}

/** The event time, refused when unparseable, outside 0001-9999, or too far in the future. */
function eventTime(value: string, options: ParseOptions): { ok: true; time: number } | Failure {
  const result = parseTimestamp(value);
  const shown = JSON.stringify(shorten(value)); // reasons stay short
  if (!result.ok) return fail('bad_timestamp', `datetime_occured ${shown}: ${result.reason}`);
  const ahead = result.time - options.now;
  if (ahead > options.maxFutureSkewMs) {
    return fail(
      'future_timestamp',
      `datetime_occured ${shown} is ${ahead} ms ahead of the reader's clock (at most ${options.maxFutureSkewMs} allowed)`,
    );
  }
  return result;
}

type NumberTexts = Partial<Record<string, string>>;
const CLICK_NUMBERS = ['user_id'] as const;
const CHECKOUT_NUMBERS = ['user_id', 'total_amount'] as const;

/** Parses one `clicks` message read at `options.now`. */
export function parseClick(raw: RawMessage, options: ParseOptions): ParseResult<Click> {
  checkOptions(options);
  const read = readObject(raw);
  if (!read.ok) return read;
  const checked = validate(clickWireSchema, read.obj, read.text, CLICK_NUMBERS);
  if (!checked.ok) return checked;
  const w = checked.wire;
  const time = eventTime(w.datetime_occured, options);
  if (!time.ok) return time;
  return {
    ok: true,
    event: {
      clickId: w.click_id,
      userId: checked.userId,
      productId: w.product_id,
      product: w.product,
      price: w.price,
      url: w.url,
      userAgent: w.user_agent,
      ipAddress: w.ip_address,
      time: time.time,
    },
  };
}

/** Parses one `checkouts` message read at `options.now`. */
export function parseCheckout(raw: RawMessage, options: ParseOptions): ParseResult<Checkout> {
  checkOptions(options);
  const read = readObject(raw);
  if (!read.ok) return read;
  const checked = validate(checkoutWireSchema, read.obj, read.text, CHECKOUT_NUMBERS);
  if (!checked.ok) return checked;
  const w = checked.wire;
  const amount = totalAmountOf(checked.numbers.total_amount);
  if (!amount.ok) return amount;
  const time = eventTime(w.datetime_occured, options);
  if (!time.ok) return time;
  return {
    ok: true,
    event: {
      checkoutId: w.checkout_id,
      userId: checked.userId,
      productId: w.product_id,
      paymentMethod: w.payment_method,
      totalAmount: amount.text,
      shippingAddress: w.shipping_address,
      billingAddress: w.billing_address,
      userAgent: w.user_agent,
      ipAddress: w.ip_address,
      time: time.time,
    },
  };
}

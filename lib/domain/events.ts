// The wire format of `clicks` and `checkouts` (docs/attribution.md) and its one
// parser: the only place that refuses input. Whatever it accepts, every later stage (state,
// sink, lake, models) must accept too. Every field of the spec tables is required and non-null;
// unknown fields are ignored. A message either parses into an event or yields a dead-letter
// reason `<kind>: <detail>`. Pure: the reading process's clock comes in as an argument.
import { scanClick } from './click-scan.ts';
import { amountText, exactDecimal, safeInteger } from './decimal-text.ts';
import { MAX_ID_BYTES, MAX_TEXT_BYTES } from './event-limits.ts';
import { topLevelNumberTexts } from './json-number-text.ts';
import { isStorableText } from './storable-text.ts';
import { formatIsoTimestamp, parseTimestamp } from './timestamp.ts';

export { formatIsoTimestamp, formatTimestamp, parseTimestamp } from './timestamp.ts';
export { MAX_ID_BYTES, MAX_TEXT_BYTES } from './event-limits.ts';

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

/** The wire object of a click as JSON holds it: every field required. */
export interface ClickWire {
  click_id: string;
  user_id: number;
  product_id: string;
  product: string;
  price: number;
  url: string;
  user_agent: string;
  ip_address: string;
  datetime_occured: string;
}

/** The wire object of a checkout as JSON holds it (total_amount judged on its text). */
export interface CheckoutWire {
  checkout_id: string;
  user_id: number;
  product_id: string;
  payment_method: string;
  total_amount: number;
  shipping_address: string;
  billing_address: string;
  user_agent: string;
  ip_address: string;
  datetime_occured: string;
}

/**
 * What a field's value must be: `id` a non-empty string, `text` any string, `integer` and
 * `amount` any JSON number (their digits as written are judged after: 1e999, Infinity as a double,
 * is then too large, not a type error), `finite` a finite number (a price of 1e999 is a wrong type).
 * Checked by hand, not by a schema library: this runs for every message on the speed layer's hot
 * path (issue 13), and the differential test (events-differential.test.ts) holds it to
 * the zod schema it replaced, reason for reason.
 */
type FieldType = 'id' | 'text' | 'integer' | 'finite' | 'amount';

const CLICK_FIELDS: readonly (readonly [keyof ClickWire, FieldType])[] = [
  ['click_id', 'id'],
  ['user_id', 'integer'],
  ['product_id', 'id'],
  ['product', 'text'],
  ['price', 'finite'],
  ['url', 'text'],
  ['user_agent', 'text'],
  ['ip_address', 'text'],
  ['datetime_occured', 'text'],
];

const CHECKOUT_FIELDS: readonly (readonly [keyof CheckoutWire, FieldType])[] = [
  ['checkout_id', 'id'],
  ['user_id', 'integer'],
  ['product_id', 'id'],
  ['payment_method', 'text'],
  ['total_amount', 'amount'],
  ['shipping_address', 'text'],
  ['billing_address', 'text'],
  ['user_agent', 'text'],
  ['ip_address', 'text'],
  ['datetime_occured', 'text'],
];

const EXPECTED: Record<string, string> = {
  user_id: 'an integer (JSON number)',
  price: 'a finite number',
  total_amount: 'a number',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

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

/**
 * A message decoded and JSON-parsed into a plain object. `storable` says its strings need no
 * storability check: bytes the fatal decoder accepted hold no lone surrogate, JSON.parse refuses
 * a raw U+0000 inside a string, so without a backslash no string of it can hold either.
 */
type ReadMessage = { ok: true; obj: Record<string, unknown>; text: string; storable: boolean };

/** Decodes and JSON-parses a message into a plain object (and its text), or fails. */
function readObject(raw: RawMessage): ReadMessage | Failure {
  if (raw === null) return fail('invalid_json', 'tombstone: the message has no value');
  let textValue: string;
  let decoded = false;
  if (typeof raw === 'string') {
    textValue = raw;
  } else {
    try {
      textValue = utf8.decode(raw);
      decoded = true;
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
  const storable = decoded && !textValue.includes('\\');
  return { ok: true, obj: value as Record<string, unknown>, text: textValue, storable };
}

/** Why `value` is not of `type` (`wrong_type` or `empty_field`), or undefined if it is. */
function typeProblem(field: string, type: FieldType, value: unknown): Failure | undefined {
  switch (type) {
    case 'id':
      if (typeof value !== 'string') break;
      if (value.length === 0) return fail('empty_field', `${field} must be a non-empty string`);
      return undefined;
    case 'text':
      if (typeof value === 'string') return undefined;
      break;
    case 'integer':
    case 'amount':
      if (typeof value === 'number') return undefined;
      break;
    case 'finite':
      if (typeof value === 'number' && Number.isFinite(value)) return undefined;
      break;
  }
  const expected = EXPECTED[field] ?? 'a string';
  return fail('wrong_type', `${field} must be ${expected}, got ${describe(value)}`);
}

/**
 * Validates the wire object field by field in spec order and reports the first problem, so a
 * message always gets the same reason: its type first, then its content. user_id is judged on its
 * digits as written: the literals of `numberKeys` are read from the text once the types up to
 * user_id are right, and returned for the caller's use too.
 */
function validate<W>(
  fields: readonly (readonly [keyof W & string, FieldType])[],
  read: ReadMessage,
  numberKeys: readonly string[],
): { ok: true; wire: W; userId: number; numbers: NumberTexts } | Failure {
  const obj = read.obj;
  let numbers: NumberTexts = {};
  let userId: number | undefined;
  for (const [field, type] of fields) {
    if (!Object.hasOwn(obj, field) || obj[field] === undefined) return fail('missing_field', field);
    const value = obj[field];
    const problem = typeProblem(field, type, value);
    if (problem) return problem;
    if (typeof value === 'string') {
      if (!read.storable && !isStorableText(value)) {
        return fail('invalid_text', `${field} contains U+0000 or an unpaired surrogate`);
      }
      const limit = type === 'id' ? MAX_ID_BYTES : MAX_TEXT_BYTES;
      // A UTF-16 unit is at most 3 bytes of UTF-8: most strings need no counting.
      if (value.length * 3 > limit && utf8Length(value) > limit) {
        return fail('too_long', `${field} is longer than ${limit} bytes of UTF-8`);
      }
    }
    if (field === 'user_id') {
      numbers = topLevelNumberTexts(read.text, numberKeys);
      const id = userIdOf(numbers.user_id);
      if (!id.ok) return id;
      userId = id.value;
    }
  }
  if (userId === undefined) throw new Error('unreachable: the fields have no user_id');
  // Every field is present and of its type: the object is the wire shape (extra fields unread).
  return { ok: true, wire: obj as W, userId, numbers };
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

const shownTimestamp = (value: string) => JSON.stringify(shorten(value));

/** The event time, refused when unparseable, outside 0001-9999, or too far in the future. */
function eventTime(value: string, options: ParseOptions): { ok: true; time: number } | Failure {
  const result = parseTimestamp(value);
  // Only a refusal words the value (short): no closure or string built for an accepted event.
  if (!result.ok) {
    return fail('bad_timestamp', `datetime_occured ${shownTimestamp(value)}: ${result.reason}`);
  }
  const ahead = result.time - options.now;
  if (ahead > options.maxFutureSkewMs) {
    return fail(
      'future_timestamp',
      `datetime_occured ${shownTimestamp(value)} is ${ahead} ms ahead of the reader's clock (at most ${options.maxFutureSkewMs} allowed)`,
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
  // Bytes in the common shape take the fast path; it declines whatever the full parse might refuse.
  const scanned = raw instanceof Uint8Array ? scanClick(raw) : undefined;
  if (scanned !== undefined) {
    const time = eventTime(scanned.datetime, options);
    if (!time.ok) return time;
    return {
      ok: true,
      event: {
        clickId: scanned.clickId,
        userId: scanned.userId,
        productId: scanned.productId,
        product: scanned.product,
        price: scanned.price,
        url: scanned.url,
        userAgent: scanned.userAgent,
        ipAddress: scanned.ipAddress,
        time: time.time,
      },
    };
  }
  const read = readObject(raw);
  if (!read.ok) return read;
  const checked = validate<ClickWire>(CLICK_FIELDS, read, CLICK_NUMBERS);
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
  const checked = validate<CheckoutWire>(CHECKOUT_FIELDS, read, CHECKOUT_NUMBERS);
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

/** The wire object of a click; `parseClick(JSON.stringify(toClickWire(c)), …)` gives `c` back. */
export function toClickWire(click: Click): ClickWire {
  return {
    click_id: click.clickId,
    user_id: click.userId,
    product_id: click.productId,
    product: click.product,
    price: click.price,
    url: click.url,
    user_agent: click.userAgent,
    ip_address: click.ipAddress,
    datetime_occured: formatIsoTimestamp(click.time),
  };
}

/**
 * The wire object of a checkout. `total_amount` is a double here, exact only up to 15 significant
 * digits: `stringifyCheckout` writes the message with the amount's digits as they are.
 */
export function toCheckoutWire(checkout: Checkout): CheckoutWire {
  return {
    checkout_id: checkout.checkoutId,
    user_id: checkout.userId,
    product_id: checkout.productId,
    payment_method: checkout.paymentMethod,
    total_amount: Number(checkout.totalAmount),
    shipping_address: checkout.shippingAddress,
    billing_address: checkout.billingAddress,
    user_agent: checkout.userAgent,
    ip_address: checkout.ipAddress,
    datetime_occured: formatIsoTimestamp(checkout.time),
  };
}

/** The wire message of a click: `parseClick(stringifyClick(c), …)` gives `c` back. */
export function stringifyClick(click: Click): string {
  return JSON.stringify(toClickWire(click));
}

/**
 * The wire message of a checkout with `total_amount` written as its exact decimal text, so
 * `parseCheckout(stringifyCheckout(c), …)` gives `c` back whatever the amount's digits.
 */
export function stringifyCheckout(checkout: Checkout): string {
  if (!/^\d+\.\d\d$/.test(checkout.totalAmount)) {
    throw new Error(`totalAmount ${JSON.stringify(checkout.totalAmount)} is not decimal text`);
  }
  const { total_amount: _double, ...rest } = toCheckoutWire(checkout);
  const json = JSON.stringify(rest);
  return `{"total_amount":${checkout.totalAmount},${json.slice(1)}`;
}

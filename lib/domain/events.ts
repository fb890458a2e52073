// The wire format of `clicks` and `checkouts` (spec: shared/spec/attribution.md) and its one
// parser. Every field of the spec tables is required and non-null; unknown fields are ignored.
// A message either parses into an event or yields a dead-letter reason `<kind>: <detail>`.
import { z } from 'zod';
import { formatIsoTimestamp, parseTimestamp } from './timestamp';

export { formatIsoTimestamp, formatTimestamp, parseTimestamp } from './timestamp';

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
  /** Exact decimal text with two decimals, e.g. "19.90": no float rounding downstream. */
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
  'bad_timestamp',
  'negative_amount',
  'too_many_decimals',
  'amount_out_of_range',
] as const;
export type DeadLetterKind = (typeof DEAD_LETTER_KINDS)[number];

export type ParseResult<E> =
  { ok: true; event: E } | { ok: false; kind: DeadLetterKind; reason: string };

const nonEmptyText = z.string().min(1);
const text = z.string();
// Strict: a JSON number that is a safe integer. The string "7" is a wrong type, 7.0 is 7.
const userId = z.int();
// zod 4 numbers are finite, so 1e999 (parsed as Infinity) is a wrong type.
const finiteNumber = z.number();

export const clickWireSchema = z.object({
  click_id: nonEmptyText,
  user_id: userId,
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
  user_id: userId,
  product_id: nonEmptyText,
  payment_method: text,
  total_amount: finiteNumber,
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
  total_amount: 'a finite number',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

// NUL and unpaired surrogates are valid in JSON strings but cannot be stored in PostgreSQL text.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isStorable = (text: string): boolean =>
  !text.includes('\u0000') && !UNPAIRED_SURROGATE.test(text);

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

/** Decodes and JSON-parses a message into a plain object, or fails. */
function readObject(
  raw: Uint8Array | string,
): { ok: true; obj: Record<string, unknown> } | Failure {
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
  return { ok: true, obj: value as Record<string, unknown> };
}

/**
 * Validates the wire object field by field in spec order and reports the first problem, so a
 * message always gets the same reason. zod decides the types; content checks follow.
 */
function validate<S extends z.ZodObject>(
  schema: S,
  obj: Record<string, unknown>,
): { ok: true; wire: z.infer<S> } | Failure {
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
      const unsafe = issue.code === 'too_big' || issue.code === 'too_small';
      const got = unsafe ? 'an unsafe integer' : describe(value);
      return fail('wrong_type', `${field} must be ${expected}, got ${got}`);
    }
    if (typeof value === 'string' && !isStorable(value)) {
      return fail('invalid_text', `${field} contains U+0000 or an unpaired surrogate`);
    }
  }
  if (!parsed.success) throw new Error('unreachable: zod failed on no listed field');
  return { ok: true, wire: parsed.data };
}

function eventTime(value: string): { ok: true; time: number } | Failure {
  const result = parseTimestamp(value);
  if (result.ok) return result;
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value; // reasons stay short
  return fail('bad_timestamp', `datetime_occured ${JSON.stringify(shown)}: ${result.reason}`);
}

/**
 * Exact decimal text with two decimals of a non-negative amount, or undefined when the value
 * has more than two decimals. Works on the shortest round-trip decimal of the double
 * (`String(x)`), so 19.99 passes while 0.125 fails, without float arithmetic.
 */
export function amountText(x: number): string | undefined {
  const [mantissa = '0', exponent = '0'] = String(x).split('e');
  const dot = mantissa.indexOf('.');
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const fraction = dot < 0 ? '' : mantissa.slice(dot + 1);
  const scale = fraction.length - Number(exponent); // x = digits × 10^-scale
  if (scale > 2) return undefined;
  const cents = (intPart + fraction + '0'.repeat(2 - scale)).replace(/^0+/, '').padStart(3, '0');
  return `${cents.slice(0, -2)}.${cents.slice(-2)}`;
}

/** Parses one `clicks` message. */
export function parseClick(raw: Uint8Array | string): ParseResult<Click> {
  const read = readObject(raw);
  if (!read.ok) return read;
  const checked = validate(clickWireSchema, read.obj);
  if (!checked.ok) return checked;
  const w = checked.wire;
  const time = eventTime(w.datetime_occured);
  if (!time.ok) return time;
  return {
    ok: true,
    event: {
      clickId: w.click_id,
      userId: w.user_id,
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

/** Parses one `checkouts` message. */
export function parseCheckout(raw: Uint8Array | string): ParseResult<Checkout> {
  const read = readObject(raw);
  if (!read.ok) return read;
  const checked = validate(checkoutWireSchema, read.obj);
  if (!checked.ok) return checked;
  const w = checked.wire;
  if (w.total_amount < 0) return fail('negative_amount', `total_amount ${w.total_amount} < 0`);
  const totalAmount = amountText(w.total_amount);
  if (totalAmount === undefined) {
    return fail('too_many_decimals', `total_amount ${w.total_amount} has more than 2 decimals`);
  }
  // DECIMAL(38,2) in every store (PostgreSQL, the lake, Redshift): at most 36 integer digits.
  if (totalAmount.length > 39) {
    return fail(
      'amount_out_of_range',
      `total_amount ${w.total_amount} has more than 36 integer digits`,
    );
  }
  const time = eventTime(w.datetime_occured);
  if (!time.ok) return time;
  return {
    ok: true,
    event: {
      checkoutId: w.checkout_id,
      userId: w.user_id,
      productId: w.product_id,
      paymentMethod: w.payment_method,
      totalAmount,
      shippingAddress: w.shipping_address,
      billingAddress: w.billing_address,
      userAgent: w.user_agent,
      ipAddress: w.ip_address,
      time: time.time,
    },
  };
}

/** The wire object of a click; `parseClick(JSON.stringify(toClickWire(c)))` gives `c` back. */
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

/** The wire object of a checkout; `parseCheckout(JSON.stringify(toCheckoutWire(c)))` gives `c`. */
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

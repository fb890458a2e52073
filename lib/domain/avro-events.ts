// The one gate for Avro-framed values: the body decoded with its WRITER schema (from the
// registry), then judged by exactly the checks JSON gets (event-checks.ts), in the same field
// order, so an event is refused for the same reason whichever way it was written. Which writer
// schemas it reads, field by field, is avro-writer-plan.ts's. Pure.
import type avro from 'avsc';
import type { AvroDecimalValue } from './avro-types.ts';
import {
  CHECKOUT_FIELDS,
  CLICK_FIELDS,
  planField,
  planRecord,
  type FieldPlan,
  type RecordLike,
} from './avro-writer-plan.ts';
import type { ExactDecimal } from './decimal-text.ts';
import {
  checkOptions,
  eventTimeOfMillis,
  eventTimeOfText,
  fail,
  textProblem,
  totalAmountOf,
  userIdOf,
  wrongType,
  type Failure,
} from './event-checks.ts';
import type { Checkout, Click, ParseOptions, ParseResult } from './events.ts';

export { AVRO_CHECKOUT_FIELDS, AVRO_CLICK_FIELDS } from './avro-writer-plan.ts';

/** Reads one event from Avro bodies written with one writer schema; built once per schema id. */
export interface AvroEventReader<E> {
  read(body: Uint8Array, options: ParseOptions): ParseResult<E>;
}

/** Decodes a body, or why not; a string that was not UTF-8 is refused, not replaced. */
function decode(
  writer: avro.Type,
  schemaId: number,
  body: Uint8Array,
  textFields: readonly string[],
): { ok: true; record: Record<string, unknown> } | Failure {
  const bytes = Buffer.isBuffer(body)
    ? body
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let record: Record<string, unknown>;
  try {
    record = writer.fromBuffer(bytes) as Record<string, unknown>;
  } catch (error) {
    return fail(
      'invalid_avro',
      `body does not decode with writer schema ${schemaId}: ${(error as Error).message}`,
    );
  }
  // avsc replaces bytes that are not UTF-8 with U+FFFD; a body that re-encodes to other bytes
  // had some (a real U+FFFD re-encodes to itself).
  const replaced = textFields.some((f) => {
    const v = record[f];
    return typeof v === 'string' && v.includes('\uFFFD');
  });
  if (replaced && !writer.toBuffer(record).equals(bytes)) {
    return fail('invalid_avro', `a string of the body is not valid UTF-8`);
  }
  return { ok: true, record };
}

/** The exact value of a decimal. */
function exactOf({ unscaled, scale }: AvroDecimalValue): ExactDecimal {
  if (unscaled === 0n) return { negative: false, digits: '', exponent: 0 };
  const negative = unscaled < 0n;
  const all = (negative ? -unscaled : unscaled).toString();
  let end = all.length;
  while (all.charCodeAt(end - 1) === 0x30) end--;
  return { negative, digits: all.slice(0, end), exponent: all.length - end - scale };
}

/** A decimal as text with its scale's digits: "-12.30". */
function decimalText({ unscaled, scale }: AvroDecimalValue): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

const USER_ID_EXPECTED = 'an integer within ±(2^53 − 1)';

/** The values of our fields, judged in spec order like events.ts's validate. */
interface Judged {
  values: Record<string, string | number>;
  /** The exact amount (checkouts). */
  amount?: { decimal: ExactDecimal; shown: string };
  /** The event time, as epoch ms (Avro timestamp-millis) or text (a string writer field). */
  time?: bigint | string;
}

function judgeFields(
  plans: readonly FieldPlan[],
  record: Record<string, unknown>,
): Judged | Failure {
  const judged: Judged = { values: {} };
  for (const { name, shape, nullable } of plans) {
    if (shape === undefined) return fail('missing_field', name);
    const value = record[name];
    if (value === null && nullable) return wrongType(name, 'null');
    switch (shape) {
      case 'text': {
        const text = value as string;
        const problem = textProblem(name, text);
        if (problem) return problem;
        judged.values[name] = text;
        break;
      }
      case 'integer': {
        // An int is a number, a long a bigint: never a double that rounded.
        const n = typeof value === 'bigint' ? value : BigInt(value as number);
        const id = userIdOf(
          { negative: n < 0n, digits: n === 0n ? '' : `${n < 0n ? -n : n}`, exponent: 0 },
          () => `${n}`,
          USER_ID_EXPECTED,
        );
        if (!id.ok) return id;
        judged.values[name] = id.value;
        break;
      }
      case 'number': {
        const n = typeof value === 'bigint' ? Number(value) : (value as number);
        if (!Number.isFinite(n)) return wrongType(name, String(n));
        judged.values[name] = n;
        break;
      }
      case 'decimal': {
        const d = value as AvroDecimalValue;
        judged.amount = { decimal: exactOf(d), shown: decimalText(d) };
        break;
      }
      case 'millis':
        judged.time = value as bigint | string;
        break;
    }
  }
  return judged;
}

function eventTime(judged: Judged, options: ParseOptions) {
  const t = judged.time!;
  return typeof t === 'string' ? eventTimeOfText(t, options) : eventTimeOfMillis(t, options);
}

/** A reader that refuses every body with the same reason (the writer schema is unreadable). */
const refusing = <E>(failure: Failure): AvroEventReader<E> => ({ read: () => failure });

/** Reads clicks written with `writer`, the registry's schema `schemaId`. */
export function avroClickReader(schemaId: number, writer: unknown): AvroEventReader<Click> {
  const plans = planRecord(schemaId, writer, CLICK_FIELDS);
  if (!Array.isArray(plans)) return refusing(plans);
  const type = writer as avro.Type;
  const textFields = [
    ...CLICK_FIELDS.filter(([, s]) => s === 'text').map(([n]) => n),
    'session_id',
  ];
  const session = planField(schemaId, writer as unknown as RecordLike, 'session_id', 'text');
  // A session_id of another type is ignored, as JSON ignores one that is not a string.
  const hasSession = !('ok' in session) && session.shape !== undefined;
  return {
    read(body, options) {
      checkOptions(options);
      const decoded = decode(type, schemaId, body, textFields);
      if (!decoded.ok) return decoded;
      const judged = judgeFields(plans, decoded.record);
      if ('ok' in judged) return judged;
      const time = eventTime(judged, options);
      if (!time.ok) return time;
      const v = judged.values;
      const sessionId = hasSession ? decoded.record.session_id : null;
      if (typeof sessionId === 'string') {
        const problem = textProblem('session_id', sessionId);
        if (problem) return problem;
      }
      return {
        ok: true,
        event: {
          clickId: v.click_id as string,
          userId: v.user_id as number,
          productId: v.product_id as string,
          product: v.product as string,
          price: v.price as number,
          url: v.url as string,
          userAgent: v.user_agent as string,
          ipAddress: v.ip_address as string,
          time: time.time,
          sessionId: typeof sessionId === 'string' ? sessionId : undefined,
        },
      };
    },
  };
}

/** Reads checkouts written with `writer`, the registry's schema `schemaId`. */
export function avroCheckoutReader(schemaId: number, writer: unknown): AvroEventReader<Checkout> {
  const plans = planRecord(schemaId, writer, CHECKOUT_FIELDS);
  if (!Array.isArray(plans)) return refusing(plans);
  const type = writer as avro.Type;
  const textFields = CHECKOUT_FIELDS.filter(([, s]) => s === 'text').map(([n]) => n);
  return {
    read(body, options) {
      checkOptions(options);
      const decoded = decode(type, schemaId, body, textFields);
      if (!decoded.ok) return decoded;
      const judged = judgeFields(plans, decoded.record);
      if ('ok' in judged) return judged;
      const amount = totalAmountOf(judged.amount!.decimal, judged.amount!.shown);
      if (!amount.ok) return amount;
      const time = eventTime(judged, options);
      if (!time.ok) return time;
      const v = judged.values;
      return {
        ok: true,
        event: {
          checkoutId: v.checkout_id as string,
          userId: v.user_id as number,
          productId: v.product_id as string,
          paymentMethod: v.payment_method as string,
          totalAmount: amount.text,
          shippingAddress: v.shipping_address as string,
          billingAddress: v.billing_address as string,
          userAgent: v.user_agent as string,
          ipAddress: v.ip_address as string,
          time: time.time,
        },
      };
    },
  };
}

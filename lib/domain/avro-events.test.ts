import type avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { StreamGenerator } from '../simulator/stream-generator.ts';
import { avroCheckoutReader, avroClickReader } from './avro-events.ts';
import { toCheckoutV1Record, toClickV1Record, toClickV2Record } from './avro-records.ts';
import { avroType } from './avro-types.ts';
import {
  DEAD_LETTER_KINDS,
  MAX_ID_BYTES,
  MAX_TEXT_BYTES,
  parseCheckout,
  parseClick,
  stringifyCheckout,
  stringifyClick,
  type Checkout,
  type Click,
} from './events.ts';
import { MAX_EVENT_TIME, MIN_EVENT_TIME } from './timestamp.ts';
import {
  CHECKOUT_V1_SCHEMA,
  CLICK_V1_SCHEMA,
  CLICK_V2_SCHEMA,
  type CheckoutV1Record,
  type ClickV2Record,
} from './wire-records.generated.ts';

const READ = { now: Date.UTC(2026, 10, 1), maxFutureSkewMs: 60_000 };
const T = Date.UTC(2026, 2, 1, 10, 0, 0, 123);

const click: Click = {
  clickId: 'c-1',
  userId: 7,
  productId: 'p-1',
  product: 'Lamp',
  price: 19.99,
  url: 'https://shop.example/p-1',
  userAgent: 'Mozilla/5.0',
  ipAddress: '10.0.0.1',
  time: T,
};

const checkout: Checkout = {
  checkoutId: 'k-1',
  userId: 7,
  productId: 'p-1',
  paymentMethod: 'card',
  totalAmount: '19.90',
  shippingAddress: '1 Main St',
  billingAddress: '1 Main St',
  userAgent: 'Mozilla/5.0',
  ipAddress: '10.0.0.1',
  time: T + 3_600_000,
};

const clickV1 = avroType(CLICK_V1_SCHEMA);
const clickV2 = avroType(CLICK_V2_SCHEMA);
const checkoutV1 = avroType(CHECKOUT_V1_SCHEMA);

/** A record schema named like ours with these fields. */
function writer(name: 'Click' | 'Checkout', fields: { name: string; type: unknown }[]): avro.Type {
  return avroType({
    type: 'record',
    name,
    namespace: 'dev.clickstream',
    fields,
  } as avro.Schema);
}

/** Our schema with one field's type replaced (or the field removed, for undefined). */
function variant(schema: string, field: string, type: unknown): avro.Type {
  const parsed = JSON.parse(schema) as { fields: { name: string; type: unknown }[] };
  parsed.fields = parsed.fields.flatMap((f) =>
    f.name !== field ? [f] : type === undefined ? [] : [{ name: f.name, type }],
  );
  return avroType(parsed as avro.Schema);
}

const readClick = (type: avro.Type, record: object, id = 1) =>
  avroClickReader(id, type).read(type.toBuffer(record), READ);
const readCheckout = (type: avro.Type, record: object, id = 2) =>
  avroCheckoutReader(id, type).read(type.toBuffer(record), READ);

const clickRecord = (over: Partial<ClickV2Record> = {}) => ({ ...toClickV2Record(click), ...over });
const checkoutRecord = (over: Partial<CheckoutV1Record> = {}) => ({
  ...toCheckoutV1Record(checkout),
  ...over,
});
const amount = (unscaled: bigint, scale = 2) => ({ unscaled, scale });

describe('Avro gate: valid values', () => {
  it('reads a click v1 and v2 to the event the JSON gate reads', () => {
    const json = parseClick(stringifyClick(click), READ);
    expect(readClick(clickV1, toClickV1Record(click))).toEqual(json);
    expect(readClick(clickV2, clickRecord())).toEqual(json);
  });

  it('carries session_id (v2); JSON carries a session_id string too', () => {
    const withSession = { ...click, sessionId: 's-9' };
    const result = readClick(clickV2, clickRecord({ session_id: 's-9' }));
    expect(result).toEqual({ ok: true, event: withSession });
    const json = JSON.stringify({ ...JSON.parse(stringifyClick(click)), session_id: 's-9' });
    expect(parseClick(json, READ)).toEqual(result);
    // Another JSON type there is ignored, like any unknown field.
    const number = JSON.stringify({ ...JSON.parse(stringifyClick(click)), session_id: 5 });
    expect(parseClick(number, READ)).toMatchObject({ ok: true, event: { sessionId: undefined } });
  });

  it('reads a checkout with the exact amount text of the decimal', () => {
    expect(readCheckout(checkoutV1, toCheckoutV1Record(checkout))).toEqual(
      parseCheckout(stringifyCheckout(checkout), READ),
    );
  });

  it.each([
    [0n, 2, '0.00'],
    [5n, 2, '0.05'],
    [1990n, 2, '19.90'],
    [10n ** 38n - 1n, 2, `${'9'.repeat(36)}.99`],
    [19990n, 3, '19.99'],
    [7n, 0, '7.00'],
    [1n, 0, '1.00'],
  ])('reads decimal %s at scale %s exactly as %s', (unscaled, scale, text) => {
    const type = variant(CHECKOUT_V1_SCHEMA, 'total_amount', {
      type: 'bytes',
      logicalType: 'decimal',
      precision: 38,
      scale,
    });
    const result = readCheckout(type, checkoutRecord({ total_amount: amount(unscaled, scale) }));
    expect(result).toMatchObject({ ok: true, event: { totalAmount: text } });
  });

  it('reads a decimal on fixed bytes', () => {
    const type = variant(CHECKOUT_V1_SCHEMA, 'total_amount', {
      type: 'fixed',
      name: 'Amount',
      size: 16,
      logicalType: 'decimal',
      precision: 38,
      scale: 2,
    });
    const result = readCheckout(type, checkoutRecord({ total_amount: amount(123456789012n) }));
    expect(result).toMatchObject({ ok: true, event: { totalAmount: '1234567890.12' } });
  });

  it('keeps every user id a double holds exactly, negative ones too', () => {
    for (const id of [0, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      expect(readClick(clickV2, clickRecord({ user_id: BigInt(id) }))).toMatchObject({
        ok: true,
        event: { userId: id },
      });
    }
  });

  it('accepts what Avro promotes: an int user_id, a float, int or long price', () => {
    const intId = variant(CLICK_V2_SCHEMA, 'user_id', 'int');
    expect(readClick(intId, { ...clickRecord(), user_id: 42 })).toMatchObject({
      event: { userId: 42 },
    });
    const floatPrice = variant(CLICK_V2_SCHEMA, 'price', 'float');
    expect(readClick(floatPrice, { ...clickRecord(), price: 2.5 })).toMatchObject({
      event: { price: 2.5 },
    });
    const longPrice = variant(CLICK_V2_SCHEMA, 'price', 'long');
    expect(readClick(longPrice, { ...clickRecord(), price: 3n })).toMatchObject({
      event: { price: 3 },
    });
  });

  it('reads fields by name whatever their order, and ignores extra writer fields', () => {
    const parsed = JSON.parse(CLICK_V2_SCHEMA) as { fields: unknown[] };
    const reordered = avroType({
      ...parsed,
      fields: [
        { name: 'extra', type: { type: 'array', items: 'string' } },
        ...[...parsed.fields].reverse(),
      ],
    } as avro.Schema);
    const result = readClick(reordered, { ...clickRecord(), extra: ['x', 'y'] });
    expect(result).toEqual(parseClick(stringifyClick(click), READ));
  });

  it('reads a string datetime_occured as timestamp text, by the same rules', () => {
    const type = variant(CLICK_V2_SCHEMA, 'datetime_occured', 'string');
    expect(
      readClick(type, { ...clickRecord(), datetime_occured: '2026-03-01 10:00:00.123' }),
    ).toMatchObject({ ok: true, event: { time: T } });
    expect(readClick(type, { ...clickRecord(), datetime_occured: '2026-02-30 10:00:00' })).toEqual({
      ok: false,
      kind: 'bad_timestamp',
      reason:
        'bad_timestamp: datetime_occured "2026-02-30 10:00:00": day 30 does not exist in 2026-02',
    });
  });

  it('accepts a nullable union of our type when the value is there', () => {
    const type = variant(CLICK_V2_SCHEMA, 'product', ['null', 'string']);
    expect(readClick(type, clickRecord())).toMatchObject({ ok: true });
  });
});

describe('Avro gate: every check of the JSON gate, on Avro values', () => {
  it('refuses a user id beyond ±(2^53 − 1) as wrong_type, never rounded', () => {
    for (const id of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
      expect(readClick(clickV2, clickRecord({ user_id: id }))).toEqual({
        ok: false,
        kind: 'wrong_type',
        reason: `wrong_type: user_id must be an integer within ±(2^53 − 1), got ${id}`,
      });
      expect(readCheckout(checkoutV1, checkoutRecord({ user_id: id }))).toMatchObject({
        kind: 'wrong_type',
      });
    }
  });

  it.each(['click_id', 'product_id'] as const)('refuses an empty %s', (field) => {
    expect(readClick(clickV2, clickRecord({ [field]: '' }))).toEqual({
      ok: false,
      kind: 'empty_field',
      reason: `empty_field: ${field} must be a non-empty string`,
    });
  });

  it('refuses an empty checkout_id', () => {
    expect(readCheckout(checkoutV1, checkoutRecord({ checkout_id: '' }))).toMatchObject({
      kind: 'empty_field',
    });
  });

  it('refuses text PostgreSQL cannot store (NUL), in any field', () => {
    expect(readClick(clickV2, clickRecord({ url: 'a\u0000b' }))).toEqual({
      ok: false,
      kind: 'invalid_text',
      reason: 'invalid_text: url contains U+0000 or an unpaired surrogate',
    });
    expect(readCheckout(checkoutV1, checkoutRecord({ billing_address: '\u0000' }))).toMatchObject({
      kind: 'invalid_text',
    });
    expect(readClick(clickV2, clickRecord({ session_id: '\u0000' }))).toMatchObject({
      kind: 'invalid_text',
    });
  });

  it('refuses ids and texts one byte over their limits, as JSON does', () => {
    const id = 'a'.repeat(MAX_ID_BYTES + 1);
    const expected = parseClick(stringifyClick({ ...click, clickId: id }), READ);
    expect(expected).toMatchObject({ kind: 'too_long' });
    expect(readClick(clickV2, clickRecord({ click_id: id }))).toEqual(expected);
    const text = '€'.repeat(MAX_TEXT_BYTES / 3) + 'a';
    expect(readClick(clickV2, clickRecord({ user_agent: text }))).toEqual({
      ok: false,
      kind: 'too_long',
      reason: `too_long: user_agent is longer than ${MAX_TEXT_BYTES} bytes of UTF-8`,
    });
  });

  it.each([
    [-1n, 2, 'negative_amount: total_amount -0.01 < 0'],
    [-500n, 2, 'negative_amount: total_amount -5.00 < 0'],
    [19999n, 3, 'too_many_decimals: total_amount 19.999 has more than 2 decimals'],
    [125n, 3, 'too_many_decimals: total_amount 0.125 has more than 2 decimals'],
    [
      10n ** 37n,
      0,
      `amount_out_of_range: total_amount ${shortened(`1${'0'.repeat(37)}`)} has more than 36 integer digits`,
    ],
  ])('refuses decimal %s at scale %s: %s', (unscaled, scale, reason) => {
    const type = variant(CHECKOUT_V1_SCHEMA, 'total_amount', {
      type: 'bytes',
      logicalType: 'decimal',
      precision: 38,
      scale,
    });
    const result = readCheckout(type, checkoutRecord({ total_amount: amount(unscaled, scale) }));
    expect(result).toEqual({ ok: false, kind: reason.split(':')[0], reason });
  });

  it('refuses event times outside 0001-9999 and too far ahead of the reader', () => {
    const at = (t: bigint) => readClick(clickV2, clickRecord({ datetime_occured: t }));
    expect(at(BigInt(MIN_EVENT_TIME))).toMatchObject({ ok: true });
    expect(at(BigInt(MIN_EVENT_TIME) - 1n)).toEqual({
      ok: false,
      kind: 'bad_timestamp',
      reason: `bad_timestamp: datetime_occured ${MIN_EVENT_TIME - 1} (timestamp-millis): the instant (UTC) is outside the years 0001-9999`,
    });
    expect(at(BigInt(MAX_EVENT_TIME) + 1n)).toMatchObject({ kind: 'bad_timestamp' });
    expect(at(2n ** 63n - 1n)).toMatchObject({ kind: 'bad_timestamp' });
    expect(at(BigInt(READ.now + 60_000))).toMatchObject({ ok: true });
    expect(at(BigInt(READ.now + 60_001))).toEqual({
      ok: false,
      kind: 'future_timestamp',
      reason: `future_timestamp: datetime_occured ${READ.now + 60_001} (timestamp-millis) is 60001 ms ahead of the reader's clock (at most 60000 allowed)`,
    });
  });

  it('refuses a NaN or infinite price as wrong_type', () => {
    expect(readClick(clickV2, clickRecord({ price: Number.NaN }))).toEqual({
      ok: false,
      kind: 'wrong_type',
      reason: 'wrong_type: price must be a finite number, got NaN',
    });
    expect(readClick(clickV2, clickRecord({ price: Infinity }))).toMatchObject({
      kind: 'wrong_type',
    });
  });

  it('judges a null in a nullable union like a JSON null', () => {
    const type = variant(CLICK_V2_SCHEMA, 'product', ['null', 'string']);
    expect(readClick(type, clickRecord({ product: null as unknown as string }))).toEqual(
      parseClick(JSON.stringify({ ...JSON.parse(stringifyClick(click)), product: null }), READ),
    );
  });

  it('refuses a writer without a required field as missing_field, the first in spec order', () => {
    const v3 = variant(CLICK_V2_SCHEMA, 'product', undefined);
    const { product: _product, ...record } = clickRecord();
    expect(readClick(v3, record)).toEqual({
      ok: false,
      kind: 'missing_field',
      reason: 'missing_field: product',
    });
    // An earlier field's problem comes first, as in JSON.
    expect(readClick(v3, { ...record, click_id: '' })).toMatchObject({ kind: 'empty_field' });
  });

  it('reads a v1 writer (no session_id) for a click without session', () => {
    const result = readClick(clickV1, toClickV1Record(click));
    expect(result.ok && result.event.sessionId).toBeUndefined();
  });
});

function shortened(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

describe('Avro gate: bodies and writer schemas it cannot read (invalid_avro)', () => {
  it('refuses a truncated body and one with bytes after the record', () => {
    const body = clickV2.toBuffer(clickRecord());
    const reader = avroClickReader(11, clickV2);
    expect(reader.read(body.subarray(0, body.length - 3), READ)).toEqual({
      ok: false,
      kind: 'invalid_avro',
      reason: 'invalid_avro: body does not decode with writer schema 11: truncated buffer',
    });
    expect(reader.read(Buffer.concat([body, Buffer.from([1, 2])]), READ)).toMatchObject({
      kind: 'invalid_avro',
    });
    expect(reader.read(Buffer.alloc(0), READ)).toMatchObject({ kind: 'invalid_avro' });
  });

  it('refuses a string that is not UTF-8, and keeps a real U+FFFD', () => {
    const type = writer('Click', [{ name: 'click_id', type: 'string' }]);
    const reader = avroClickReader(12, type);
    // Length 3 (zigzag 6), then a, 0xff, b.
    const bad = Buffer.from([6, 0x61, 0xff, 0x62]);
    expect(reader.read(bad, READ)).toEqual({
      ok: false,
      kind: 'invalid_avro',
      reason: 'invalid_avro: a string of the body is not valid UTF-8',
    });
    const replacement = clickRecord({ product: 'a\uFFFDb' });
    expect(readClick(clickV2, replacement)).toMatchObject({
      ok: true,
      event: { product: 'a\uFFFDb' },
    });
  });

  it.each([
    ['total_amount', 'double', 'total_amount is "double", expected a decimal (bytes or fixed)'],
    ['total_amount', 'bytes', 'total_amount is "bytes", expected a decimal (bytes or fixed)'],
    ['user_id', 'string', 'user_id is "string", expected long (or int)'],
    ['datetime_occured', 'long', 'expected long timestamp-millis (or a timestamp string)'],
    ['checkout_id', ['string', 'long'], 'checkout_id is ["string","long"], expected string'],
  ])('refuses a writer whose %s is %j, naming the field', (field, type, detail) => {
    const w = variant(CHECKOUT_V1_SCHEMA, field, type);
    const reader = avroCheckoutReader(21, w);
    const result = reader.read(Buffer.alloc(0), READ);
    expect(result).toMatchObject({ ok: false, kind: 'invalid_avro' });
    expect(!result.ok && result.reason).toContain(`writer schema 21: `);
    expect(!result.ok && result.reason).toContain(detail);
  });

  it('refuses a writer schema that is not a record, or not Avro', () => {
    expect(avroClickReader(31, avroType('"string"')).read(Buffer.from([0]), READ)).toEqual({
      ok: false,
      kind: 'invalid_avro',
      reason: 'invalid_avro: writer schema 31 is "string", not a record',
    });
    expect(avroClickReader(32, { type: 'PROTOBUF' }).read(Buffer.from([0]), READ)).toEqual({
      ok: false,
      kind: 'invalid_avro',
      reason: 'invalid_avro: writer schema 32 is not an Avro schema',
    });
  });

  it('uses only reasons with a known kind prefix', () => {
    const results = [
      readClick(clickV2, clickRecord({ user_id: 2n ** 60n })),
      avroClickReader(1, clickV2).read(Buffer.from([1]), READ),
      readCheckout(checkoutV1, checkoutRecord({ total_amount: amount(-1n) })),
    ];
    for (const r of results) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(DEAD_LETTER_KINDS).toContain(r.kind);
      if (!r.ok) expect(r.reason.startsWith(`${r.kind}: `)).toBe(true);
    }
  });
});

describe('Avro gate equals the JSON gate on a generated stream', () => {
  it('gives the same event or the same reason for every valid generated message', () => {
    const generator = new StreamGenerator(
      {
        users: 50,
        products: 10,
        checkoutProbability: 0.4,
        clickToCheckoutMs: { min: 1_000, max: 3_600_000 },
        outOfOrderShare: 0.2,
        lateShare: 0,
        duplicateShare: 0.05,
        malformedShare: 0,
        allowedLatenessMs: 15_000,
      },
      7,
    );
    let compared = 0;
    const clickReader = avroClickReader(1, clickV2);
    const checkoutReader = avroCheckoutReader(2, checkoutV1);
    for (let t = Date.UTC(2026, 5, 1); compared < 2_000; t += 1_000) {
      for (const m of generator.emit(t, 1)) {
        if (m.topic === 'clicks') {
          const json = parseClick(m.value, READ);
          if (!json.ok) continue;
          const body = clickV2.toBuffer(toClickV2Record(json.event));
          expect(clickReader.read(body, READ)).toEqual(json);
        } else {
          const json = parseCheckout(m.value, READ);
          if (!json.ok) continue;
          const body = checkoutV1.toBuffer(toCheckoutV1Record(json.event));
          expect(checkoutReader.read(body, READ)).toEqual(json);
        }
        compared++;
      }
    }
  });
});

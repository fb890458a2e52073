import { describe, expect, it } from 'vitest';
import {
  DEAD_LETTER_KINDS,
  MAX_ID_BYTES,
  MAX_TEXT_BYTES,
  formatIsoTimestamp,
  formatTimestamp,
  parseCheckout,
  parseClick,
  stringifyCheckout,
  stringifyClick,
  toCheckoutWire,
  toClickWire,
} from './events.ts';
import { amountText, exactDecimal } from './decimal-text.ts';
import { MAX_EVENT_TIME, MIN_EVENT_TIME, parseTimestamp } from './timestamp.ts';

const click = {
  click_id: 'c-1',
  user_id: 7,
  product_id: 'p-1',
  product: 'Lamp',
  price: 19.99,
  url: 'https://shop.example/p-1',
  user_agent: 'Mozilla/5.0',
  ip_address: '10.0.0.1',
  datetime_occured: '2026-03-01 10:00:00.123',
};

const checkout = {
  checkout_id: 'k-1',
  user_id: 7,
  product_id: 'p-1',
  payment_method: 'card',
  total_amount: 19.9,
  shipping_address: '1 Main St',
  billing_address: '1 Main St',
  user_agent: 'Mozilla/5.0',
  ip_address: '10.0.0.1',
  datetime_occured: '2026-03-01 11:00:00.000',
};

const T = Date.UTC(2026, 2, 1, 10, 0, 0, 123);

/** The reading process's clock in these tests: well after the fixtures' event times. */
const READ = { now: Date.UTC(2026, 10, 1), maxFutureSkewMs: 60_000 };

function clickReason(message: unknown): string {
  const result = parseClick(JSON.stringify(message), READ);
  if (result.ok) throw new Error('expected a dead letter');
  return result.reason;
}

function checkoutReason(message: unknown): string {
  const result = parseCheckout(JSON.stringify(message), READ);
  if (result.ok) throw new Error('expected a dead letter');
  return result.reason;
}

const without = <T extends object>(o: T, key: keyof T) => {
  const copy = { ...o };
  delete copy[key];
  return copy;
};

describe('parseClick', () => {
  it('parses a valid click from a string and from bytes', () => {
    const expected = {
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
    expect(parseClick(JSON.stringify(click), READ)).toEqual({ ok: true, event: expected });
    expect(parseClick(Buffer.from(JSON.stringify(click)), READ)).toEqual({
      ok: true,
      event: expected,
    });
  });

  it('ignores unknown extra fields', () => {
    const result = parseClick(
      JSON.stringify({ ...click, extra: { nested: [1] }, session: 'x' }),
      READ,
    );
    expect(result.ok && result.event).not.toHaveProperty('extra');
    expect(result.ok).toBe(true);
  });

  it.each(Object.keys(click) as (keyof typeof click)[])('dead-letters a click without %s', (f) => {
    expect(clickReason(without(click, f))).toBe(`missing_field: ${f}`);
  });

  it.each([
    ['user_id', '7', 'wrong_type: user_id must be an integer (JSON number), got string'],
    ['user_id', 7.5, 'wrong_type: user_id must be an integer (JSON number), got number'],
    [
      'user_id',
      2 ** 53,
      'wrong_type: user_id must be an integer (JSON number), got an unsafe integer',
    ],
    ['user_id', null, 'wrong_type: user_id must be an integer (JSON number), got null'],
    ['click_id', 42, 'wrong_type: click_id must be a string, got number'],
    ['product', null, 'wrong_type: product must be a string, got null'],
    ['price', '19.99', 'wrong_type: price must be a finite number, got string'],
    ['url', ['x'], 'wrong_type: url must be a string, got array'],
    [
      'datetime_occured',
      1767261600000,
      'wrong_type: datetime_occured must be a string, got number',
    ],
    ['click_id', '', 'empty_field: click_id must be a non-empty string'],
    ['product_id', '', 'empty_field: product_id must be a non-empty string'],
    ['user_agent', 'a\u0000b', 'invalid_text: user_agent contains U+0000 or an unpaired surrogate'],
    ['click_id', 'x\ud800', 'invalid_text: click_id contains U+0000 or an unpaired surrogate'],
  ])('dead-letters %s = %j', (field, value, reason) => {
    expect(clickReason({ ...click, [field]: value })).toBe(reason);
  });

  it('reads 1e999 (Infinity) as a wrong type', () => {
    const raw = JSON.stringify(click).replace('19.99', '1e999');
    expect(parseClick(raw, READ)).toMatchObject({ ok: false, kind: 'wrong_type' });
  });

  it('reports the first problem in spec field order', () => {
    expect(clickReason({ ...without(click, 'url'), user_id: 'x' })).toMatch(/^wrong_type: user_id/);
    expect(clickReason({ ...without(click, 'click_id'), user_id: 'x' })).toBe(
      'missing_field: click_id',
    );
  });

  it.each([
    ['not json', 'invalid_json'],
    ['{"click_id": "c-1",', 'invalid_json'],
    ['', 'invalid_json'],
    ['null', 'not_an_object'],
    ['[1,2]', 'not_an_object'],
    ['"text"', 'not_an_object'],
    ['42', 'not_an_object'],
  ])('dead-letters the message %j as %s', (raw, kind) => {
    const result = parseClick(raw, READ);
    expect(result).toMatchObject({ ok: false, kind });
    expect(!result.ok && result.reason.startsWith(kind)).toBe(true);
  });

  it('dead-letters bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"click_id":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    expect(parseClick(bytes, READ)).toEqual({
      ok: false,
      kind: 'invalid_json',
      reason: 'invalid_json: message is not valid UTF-8',
    });
  });

  it('keeps a JSON object that happens to have an "ok" field', () => {
    expect(parseClick(JSON.stringify({ ...click, ok: false }), READ).ok).toBe(true);
  });

  it('dead-letters a bad timestamp with the value in the reason', () => {
    expect(clickReason({ ...click, datetime_occured: '2026-02-30 10:00:00' })).toBe(
      'bad_timestamp: datetime_occured "2026-02-30 10:00:00": day 30 does not exist in 2026-02',
    );
  });

  it('uses only reasons with a known kind prefix', () => {
    const reasons = [
      clickReason({ ...click, user_id: '7' }),
      clickReason({ ...click, datetime_occured: 'yesterday' }),
      checkoutReason({ ...checkout, total_amount: -1 }),
    ];
    for (const reason of reasons) {
      expect(DEAD_LETTER_KINDS.some((k) => reason.startsWith(`${k}: `))).toBe(true);
    }
  });
});

describe('parseCheckout', () => {
  it('parses a valid checkout with the amount as exact decimal text', () => {
    expect(parseCheckout(JSON.stringify(checkout), READ)).toEqual({
      ok: true,
      event: {
        checkoutId: 'k-1',
        userId: 7,
        productId: 'p-1',
        paymentMethod: 'card',
        totalAmount: '19.90',
        shippingAddress: '1 Main St',
        billingAddress: '1 Main St',
        userAgent: 'Mozilla/5.0',
        ipAddress: '10.0.0.1',
        time: Date.UTC(2026, 2, 1, 11),
      },
    });
  });

  it.each(Object.keys(checkout) as (keyof typeof checkout)[])(
    'dead-letters a checkout without %s',
    (field) => {
      expect(checkoutReason(without(checkout, field))).toBe(`missing_field: ${field}`);
    },
  );

  it.each([
    ['19.99', 19.99, '19.99'],
    ['0', 0, '0.00'],
    ['-0', -0, '0.00'],
    ['0.1', 0.1, '0.10'],
    ['0.05', 0.05, '0.05'],
    ['1.10 (text 1.1)', 1.1, '1.10'],
    ['123456789.12', 123456789.12, '123456789.12'],
    ['1e21', 1e21, '1000000000000000000000.00'],
    ['100', 100, '100.00'],
  ])('accepts total_amount %s as %j', (_label, amount, text) => {
    const result = parseCheckout(JSON.stringify({ ...checkout, total_amount: amount }), READ);
    expect(result.ok && result.event.totalAmount).toBe(text);
  });

  it('accepts 19.990 in the JSON text: the value has two decimals', () => {
    const raw = JSON.stringify(checkout).replace('19.9', '19.990');
    expect(parseCheckout(raw, READ)).toMatchObject({ ok: true, event: { totalAmount: '19.99' } });
  });

  it.each([
    [-0.01, 'negative_amount: total_amount -0.01 < 0'],
    [-5, 'negative_amount: total_amount -5 < 0'],
    [0.125, 'too_many_decimals: total_amount 0.125 has more than 2 decimals'],
    [19.999, 'too_many_decimals: total_amount 19.999 has more than 2 decimals'],
    [1e-7, 'too_many_decimals: total_amount 1e-7 has more than 2 decimals'],
    ['19.99', 'wrong_type: total_amount must be a number, got string'],
    [null, 'wrong_type: total_amount must be a number, got null'],
    [1e37, 'amount_out_of_range: total_amount 1e+37 has more than 36 integer digits'],
  ])('dead-letters total_amount %j', (amount, reason) => {
    expect(checkoutReason({ ...checkout, total_amount: amount })).toBe(reason);
  });

  it('accepts the largest amount every store holds (36 integer digits)', () => {
    expect(parseCheckout(JSON.stringify({ ...checkout, total_amount: 1e35 }), READ)).toMatchObject({
      ok: true,
      event: { totalAmount: `1${'0'.repeat(35)}.00` },
    });
  });

  it('dead-letters an empty checkout_id and a string user_id', () => {
    expect(checkoutReason({ ...checkout, checkout_id: '' })).toBe(
      'empty_field: checkout_id must be a non-empty string',
    );
    expect(checkoutReason({ ...checkout, user_id: '7' })).toMatch(/^wrong_type: user_id/);
  });
});

describe('timestamps', () => {
  const at = (iso: string) => Date.parse(iso);

  it.each([
    ['2026-03-01 10:00:00', at('2026-03-01T10:00:00Z')],
    ['2026-03-01 10:00:00.1', at('2026-03-01T10:00:00.100Z')],
    ['2026-03-01 10:00:00.12', at('2026-03-01T10:00:00.120Z')],
    ['2026-03-01 10:00:00.123', at('2026-03-01T10:00:00.123Z')],
    ['2026-03-01 10:00:00.123456', at('2026-03-01T10:00:00.123Z')],
    ['2026-03-01 10:00:00.999999999', at('2026-03-01T10:00:00.999Z')],
    ['2026-03-01T10:00:00', at('2026-03-01T10:00:00Z')],
    ['2026-03-01T10:00:00Z', at('2026-03-01T10:00:00Z')],
    ['2026-03-01T10:00:00.5z', at('2026-03-01T10:00:00.500Z')],
    ['2026-03-01T10:00:00.250+02:00', at('2026-03-01T08:00:00.250Z')],
    ['2026-03-01T10:00:00-05:30', at('2026-03-01T15:30:00Z')],
    ['2026-03-01T10:00:00+0530', at('2026-03-01T04:30:00Z')],
    ['2026-03-01T10:00:00+01', at('2026-03-01T09:00:00Z')],
    ['2026-03-01 00:30:00+01:00', at('2026-02-28T23:30:00Z')],
    ['2024-02-29 12:00:00', at('2024-02-29T12:00:00Z')],
    ['2000-02-29 12:00:00', at('2000-02-29T12:00:00Z')],
    ['1970-01-01 00:00:00', 0],
    ['1969-12-31 23:59:59.999', -1],
    ['0001-01-01T00:00:00Z', Date.UTC(2001, 0, 1) - 2000 * 365.2425 * 86_400_000],
    ['9999-12-31T23:59:59.999Z', at('9999-12-31T23:59:59.999Z')],
  ])('parses %s', (text, expected) => {
    expect(parseTimestamp(text)).toEqual({ ok: true, time: expected });
  });

  it.each([
    '2026-02-30 10:00:00',
    '2026-02-29 10:00:00',
    '1900-02-29 10:00:00',
    '2026-13-01 10:00:00',
    '2026-00-10 10:00:00',
    '2026-04-31 10:00:00',
    '2026-03-01 24:00:00',
    '2026-03-01 23:60:00',
    '2026-03-01 23:59:60',
    '2026-03-01 10:00',
    '2026-03-01',
    '2026-3-1 10:00:00',
    '2026-03-01 10:00:00.',
    '2026-03-01T10:00:00+24:00',
    '2026-03-01T10:00:00+05:60',
    '2026-03-01T10:00:00+5',
    '2026-03-01T10:00:00 Z',
    ' 2026-03-01 10:00:00',
    '2026-03-01 10:00:00 ',
    '2026/03/01 10:00:00',
    '1772359200000',
    '',
  ])('rejects %j', (text) => {
    expect(parseTimestamp(text).ok).toBe(false);
  });

  it('formats in the naive generator format and in ISO, both parsing back to the same ms', () => {
    expect(formatTimestamp(T)).toBe('2026-03-01 10:00:00.123');
    expect(formatIsoTimestamp(T)).toBe('2026-03-01T10:00:00.123Z');
    expect(parseTimestamp(formatTimestamp(T))).toEqual({ ok: true, time: T });
    expect(parseTimestamp(formatIsoTimestamp(T))).toEqual({ ok: true, time: T });
  });
});

describe('wire round trip', () => {
  it('parses what toClickWire / toCheckoutWire produce back to the same event', () => {
    const c = parseClick(JSON.stringify({ ...click, click_id: 'é😀' }), READ);
    const k = parseCheckout(JSON.stringify({ ...checkout, total_amount: 0.3 }), READ);
    if (!c.ok || !k.ok) throw new Error('fixture must parse');
    expect(parseClick(JSON.stringify(toClickWire(c.event)), READ)).toEqual(c);
    expect(parseCheckout(JSON.stringify(toCheckoutWire(k.event)), READ)).toEqual(k);
  });
});

/** `message` as JSON text with `field` written exactly as `literal` (a JSON number literal). */
function withLiteral(message: object, field: string, literal: string): string {
  return JSON.stringify({ ...message, [field]: '__literal__' }).replace('"__literal__"', literal);
}

describe('event-time bounds: years 0001-9999 UTC once the offset is applied', () => {
  /** A reader whose clock is past every event time here, so only the year bounds decide. */
  const LATE_READER = { now: MAX_EVENT_TIME, maxFutureSkewMs: 60_000 };
  const at = (text: string) =>
    parseClick(JSON.stringify({ ...click, datetime_occured: text }), LATE_READER);

  it.each([
    ['0001-01-01 00:00:00', MIN_EVENT_TIME],
    ['0001-01-01T00:00:00Z', MIN_EVENT_TIME],
    ['0000-12-31T23:00:00-01:00', MIN_EVENT_TIME],
    ['0001-01-01T01:00:00+01:00', MIN_EVENT_TIME],
    ['9999-12-31 23:59:59.999', MAX_EVENT_TIME],
    ['9999-12-31T22:59:59.999-01:00', MAX_EVENT_TIME],
    ['9999-12-31T23:59:59.999+00:00', MAX_EVENT_TIME],
  ])('accepts %s', (text, time) => {
    expect(at(text)).toMatchObject({ ok: true, event: { time } });
  });

  it.each([
    ['0000-01-01 00:00:00', 'year 0000'],
    ['0000-12-31T23:59:59.999Z', 'the last ms of year 0000'],
    ['0001-01-01T00:00:00+01:00', 'year 0001 written, 0000 once the offset is applied'],
    ['0001-01-01T00:59:59.999+01:00', 'one ms before 0001 once the offset is applied'],
    ['9999-12-31T23:00:00-01:00', 'year 10000 once the offset is applied'],
    ['9999-12-31T23:59:59.999-00:01', 'one minute into year 10000'],
  ])('refuses %s (%s) as bad_timestamp', (text) => {
    expect(at(text)).toEqual({
      ok: false,
      kind: 'bad_timestamp',
      reason: `bad_timestamp: datetime_occured ${JSON.stringify(text)}: the instant (UTC) is outside the years 0001-9999`,
    });
  });

  it('keeps the bounds in parseTimestamp itself, for every layer that reads wire timestamps', () => {
    expect(parseTimestamp('0000-12-31T23:59:59.999Z').ok).toBe(false);
    expect(parseTimestamp('0001-01-01T00:00:00.000Z')).toEqual({ ok: true, time: MIN_EVENT_TIME });
    expect(parseTimestamp('9999-12-31T23:59:59.999Z')).toEqual({ ok: true, time: MAX_EVENT_TIME });
    expect(new Date(MIN_EVENT_TIME).toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(new Date(MAX_EVENT_TIME).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });
});

describe('event times from the future: at most MAX_FUTURE_SKEW_MS ahead of the reader', () => {
  const now = Date.UTC(2026, 10, 29, 12, 0, 0, 0);
  const clickAt = (time: number, maxFutureSkewMs = 60_000) =>
    parseClick(JSON.stringify({ ...click, datetime_occured: formatIsoTimestamp(time) }), {
      now,
      maxFutureSkewMs,
    });
  const checkoutAt = (time: number) =>
    parseCheckout(JSON.stringify({ ...checkout, datetime_occured: formatIsoTimestamp(time) }), {
      now,
      maxFutureSkewMs: 60_000,
    });

  it('accepts an event exactly now + skew, and refuses one 1 ms later', () => {
    expect(clickAt(now + 60_000)).toMatchObject({ ok: true, event: { time: now + 60_000 } });
    expect(checkoutAt(now + 60_000)).toMatchObject({ ok: true, event: { time: now + 60_000 } });
    expect(clickAt(now + 60_001)).toEqual({
      ok: false,
      kind: 'future_timestamp',
      reason:
        'future_timestamp: datetime_occured "2026-11-29T12:01:00.001Z" is 60001 ms ahead of the reader\'s clock (at most 60000 allowed)',
    });
    expect(checkoutAt(now + 60_001)).toMatchObject({ ok: false, kind: 'future_timestamp' });
  });

  it('takes the skew as configured, 0 included', () => {
    expect(clickAt(now, 0).ok).toBe(true);
    expect(clickAt(now + 1, 0)).toMatchObject({ ok: false, kind: 'future_timestamp' });
    expect(clickAt(now + 3_600_000, 3_600_000).ok).toBe(true);
  });

  it('accepts any past event time, however old', () => {
    expect(clickAt(MIN_EVENT_TIME)).toMatchObject({ ok: true, event: { time: MIN_EVENT_TIME } });
  });

  it('judges a far-future year as future_timestamp once it is a valid instant', () => {
    expect(clickAt(MAX_EVENT_TIME)).toMatchObject({ ok: false, kind: 'future_timestamp' });
  });

  it('refuses a clock that is not a number (a bug in the caller, not bad input)', () => {
    const raw = JSON.stringify(click);
    expect(() => parseClick(raw, { now: Number.NaN, maxFutureSkewMs: 0 })).toThrow(/clock/);
    expect(() => parseCheckout(raw, { now: 0, maxFutureSkewMs: -1 })).toThrow(/skew/);
  });
});

describe('user_id: any integer JSON holds exactly, judged as written', () => {
  it.each([
    ['9007199254740991', 2 ** 53 - 1],
    ['-9007199254740991', -(2 ** 53 - 1)],
    ['4294967296', 2 ** 32],
    ['-1', -1],
    ['0', 0],
    ['7.0', 7],
    ['7.000000000000000000000', 7],
    ['1e2', 100],
    ['1E+2', 100],
    ['12.5e1', 125],
    ['9.007199254740991e15', 2 ** 53 - 1],
  ])('accepts %s as %d (clicks and checkouts alike)', (literal, id) => {
    expect(parseClick(withLiteral(click, 'user_id', literal), READ)).toMatchObject({
      ok: true,
      event: { userId: id },
    });
    expect(parseCheckout(withLiteral(checkout, 'user_id', literal), READ)).toMatchObject({
      ok: true,
      event: { userId: id },
    });
  });

  it('reads -0 as user 0, not as the double -0', () => {
    const result = parseClick(withLiteral(click, 'user_id', '-0'), READ);
    expect(result.ok && Object.is(result.event.userId, 0)).toBe(true);
  });

  it.each([
    ['9007199254740992', 'an unsafe integer'],
    ['-9007199254740992', 'an unsafe integer'],
    ['9007199254740993', 'an unsafe integer'],
    ['1e16', 'an unsafe integer'],
    ['1e999', 'an unsafe integer'],
    ['123456789012345678901234567890', 'an unsafe integer'],
    ['7.5', 'number'],
    // JSON.parse rounds these to safe integers; as written they are not integers.
    ['7.0000000000000001', 'number'],
    ['9007199254740990.9', 'number'],
    ['1e-400', 'number'],
  ])('refuses %s as a wrong type (got %s)', (literal, got) => {
    const reason = `wrong_type: user_id must be an integer (JSON number), got ${got}`;
    expect(parseClick(withLiteral(click, 'user_id', literal), READ)).toEqual({
      ok: false,
      kind: 'wrong_type',
      reason,
    });
    expect(parseCheckout(withLiteral(checkout, 'user_id', literal), READ)).toMatchObject({
      reason,
    });
  });

  it('judges the user_id JSON.parse keeps: the last of duplicated keys, escaped names decoded', () => {
    const raw = withLiteral(click, 'user_id', '5').replace('{', '{"user\\u005fid":7.5,');
    expect(parseClick(raw, READ)).toMatchObject({ ok: true, event: { userId: 5 } });
    const nested = JSON.stringify({ ...click, extra: { user_id: 1.5 } });
    expect(parseClick(nested, READ)).toMatchObject({ ok: true, event: { userId: 7 } });
  });
});

describe('total_amount: judged on its digits as written, stored exactly', () => {
  it.each([
    ['19.99', '19.99'],
    ['0', '0.00'],
    ['-0', '0.00'],
    ['-0.000', '0.00'],
    ['0e999999999999999999999', '0.00'],
    ['0.1', '0.10'],
    ['19.990', '19.99'],
    ['0.10000000000000000000', '0.10'],
    ['1e2', '100.00'],
    ['1E2', '100.00'],
    ['1.5e+1', '15.00'],
    ['123e-2', '1.23'],
    ['100000000000000.01', '100000000000000.01'],
    ['12345678901234567890.12', '12345678901234567890.12'],
    ['9007199254740993', '9007199254740993.00'],
    [`${'9'.repeat(36)}.99`, `${'9'.repeat(36)}.99`],
    ['1e35', `1${'0'.repeat(35)}.00`],
    ['0.00000000000000000000000000000000000000000000000000000000000001e62', '1.00'],
  ])('accepts %s as %j', (literal, text) => {
    expect(parseCheckout(withLiteral(checkout, 'total_amount', literal), READ)).toMatchObject({
      ok: true,
      event: { totalAmount: text },
    });
  });

  it.each([
    ['0.1000000000000000001', 'too_many_decimals', 'has more than 2 decimals'],
    ['0.125', 'too_many_decimals', 'has more than 2 decimals'],
    ['100000000000000.001', 'too_many_decimals', 'has more than 2 decimals'],
    ['1e-3', 'too_many_decimals', 'has more than 2 decimals'],
    ['1e-400', 'too_many_decimals', 'has more than 2 decimals'],
    ['-0.01', 'negative_amount', '< 0'],
    ['-1e-400', 'negative_amount', '< 0'],
    ['-5', 'negative_amount', '< 0'],
    ['1e36', 'amount_out_of_range', 'has more than 36 integer digits'],
    [`${'9'.repeat(37)}`, 'amount_out_of_range', 'has more than 36 integer digits'],
    ['1e999', 'amount_out_of_range', 'has more than 36 integer digits'],
    ['1e99999999999999999999999', 'amount_out_of_range', 'has more than 36 integer digits'],
  ])('refuses %s as %s', (literal, kind, detail) => {
    const shown = literal.length > 64 ? `${literal.slice(0, 64)}…` : literal;
    expect(parseCheckout(withLiteral(checkout, 'total_amount', literal), READ)).toEqual({
      ok: false,
      kind,
      reason: `${kind}: total_amount ${shown} ${detail}`,
    });
  });

  it('writes any exact amount back with its digits (stringifyCheckout), which toCheckoutWire cannot', () => {
    const parsed = parseCheckout(withLiteral(checkout, 'total_amount', '100000000000000.01'), READ);
    if (!parsed.ok) throw new Error('fixture must parse');
    expect(parseCheckout(stringifyCheckout(parsed.event), READ)).toEqual(parsed);
    // As a double the amount is 100000000000000.02: only the text keeps it.
    expect(String(toCheckoutWire(parsed.event).total_amount)).not.toBe('100000000000000.01');
  });

  it('is exact for every cent value up to 10,000.00 written the shortest way', () => {
    // JSON.stringify writes cents / 100 as the shortest decimal that reads back as that double.
    for (let cents = 0; cents <= 1_000_000; cents += 7) {
      const expected = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      expect(amountText(exactDecimal(JSON.stringify(cents / 100))!)).toEqual({
        ok: true,
        text: expected,
      });
    }
    const raw = JSON.stringify({ ...checkout, total_amount: 9999.99 });
    expect(parseCheckout(raw, READ)).toMatchObject({ ok: true, event: { totalAmount: '9999.99' } });
  }, 30_000); // 142,858 amounts: over the default 5 s when the machine is shared
});

describe('tombstones and bytes that are not text', () => {
  it.each([
    ['clicks', parseClick],
    ['checkouts', parseCheckout],
  ] as const)('dead-letters a %s tombstone (no value) as invalid_json', (_topic, parse) => {
    expect(parse(null, READ)).toEqual({
      ok: false,
      kind: 'invalid_json',
      reason: 'invalid_json: tombstone: the message has no value',
    });
  });

  it('tells an empty value from a tombstone', () => {
    const result = parseClick(new Uint8Array(0), READ);
    expect(result).toMatchObject({ ok: false, kind: 'invalid_json' });
    expect(!result.ok && result.reason).not.toContain('tombstone');
  });

  it.each([
    ['a raw NUL byte inside a string', Buffer.from('{"click_id":"a\u0000b"}')],
    ['an overlong NUL (C0 80)', Buffer.from([0x7b, 0x22, 0xc0, 0x80, 0x22, 0x3a, 0x31, 0x7d])],
    ['a UTF-8-encoded surrogate (ED A0 80)', Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])],
    ['a truncated sequence', Buffer.from([0x22, 0xe2, 0x82, 0x22])],
  ])('dead-letters %s as invalid_json', (_label, bytes) => {
    expect(parseClick(bytes, READ)).toMatchObject({ ok: false, kind: 'invalid_json' });
  });

  it('dead-letters a NUL or lone surrogate escaped in any string field as invalid_text', () => {
    expect(
      parseCheckout(JSON.stringify({ ...checkout, user_agent: '\u0000' }), READ),
    ).toMatchObject({ kind: 'invalid_text' });
    const lone = JSON.stringify(checkout).replace('1 Main St', '\\udc00');
    expect(parseCheckout(lone, READ)).toMatchObject({ kind: 'invalid_text' });
  });
});

describe('stringifyClick / stringifyCheckout', () => {
  it('write messages the parser reads back to the same events', () => {
    const c = parseClick(JSON.stringify(click), READ);
    const k = parseCheckout(JSON.stringify(checkout), READ);
    if (!c.ok || !k.ok) throw new Error('fixture must parse');
    expect(parseClick(stringifyClick(c.event), READ)).toEqual(c);
    expect(parseCheckout(stringifyCheckout(k.event), READ)).toEqual(k);
  });
});

describe('text lengths: what every store holds', () => {
  it.each([
    ['click_id', 'a'.repeat(MAX_ID_BYTES)],
    ['click_id', 'é'.repeat(MAX_ID_BYTES / 2)],
    ['product_id', '😀'.repeat(MAX_ID_BYTES / 4)],
    ['user_agent', 'a'.repeat(MAX_TEXT_BYTES)],
    ['url', '€'.repeat(MAX_TEXT_BYTES / 3)],
  ])('accepts %s of exactly the limit in UTF-8 bytes', (field, value) => {
    expect(parseClick(JSON.stringify({ ...click, [field]: value }), READ).ok).toBe(true);
  });

  it.each([
    ['click_id', 'a'.repeat(MAX_ID_BYTES + 1), MAX_ID_BYTES],
    ['product_id', `${'é'.repeat(MAX_ID_BYTES / 2)}a`, MAX_ID_BYTES],
    ['product_id', `${'😀'.repeat(MAX_ID_BYTES / 4)}a`, MAX_ID_BYTES],
    ['user_agent', 'a'.repeat(MAX_TEXT_BYTES + 1), MAX_TEXT_BYTES],
    ['url', `${'€'.repeat(MAX_TEXT_BYTES / 3)}a`, MAX_TEXT_BYTES],
  ])('refuses %s one byte longer as too_long', (field, value, limit) => {
    expect(parseClick(JSON.stringify({ ...click, [field]: value }), READ)).toEqual({
      ok: false,
      kind: 'too_long',
      reason: `too_long: ${field} is longer than ${limit} bytes of UTF-8`,
    });
  });

  it('holds checkout ids and addresses to the same limits', () => {
    const id = 'k'.repeat(MAX_ID_BYTES + 1);
    expect(parseCheckout(JSON.stringify({ ...checkout, checkout_id: id }), READ)).toMatchObject({
      kind: 'too_long',
    });
    const address = 'x'.repeat(MAX_TEXT_BYTES + 1);
    expect(
      parseCheckout(JSON.stringify({ ...checkout, billing_address: address }), READ),
    ).toMatchObject({ kind: 'too_long' });
  });
});

import { describe, expect, it } from 'vitest';
import {
  amountText,
  DEAD_LETTER_KINDS,
  formatIsoTimestamp,
  formatTimestamp,
  parseCheckout,
  parseClick,
  toCheckoutWire,
  toClickWire,
} from './events';
import { parseTimestamp } from './timestamp';

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

function clickReason(message: unknown): string {
  const result = parseClick(JSON.stringify(message));
  if (result.ok) throw new Error('expected a dead letter');
  return result.reason;
}

function checkoutReason(message: unknown): string {
  const result = parseCheckout(JSON.stringify(message));
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
    expect(parseClick(JSON.stringify(click))).toEqual({ ok: true, event: expected });
    expect(parseClick(Buffer.from(JSON.stringify(click)))).toEqual({ ok: true, event: expected });
  });

  it('ignores unknown extra fields', () => {
    const result = parseClick(JSON.stringify({ ...click, extra: { nested: [1] }, session: 'x' }));
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
    expect(parseClick(raw)).toMatchObject({ ok: false, kind: 'wrong_type' });
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
    const result = parseClick(raw);
    expect(result).toMatchObject({ ok: false, kind });
    expect(!result.ok && result.reason.startsWith(kind)).toBe(true);
  });

  it('dead-letters bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"click_id":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    expect(parseClick(bytes)).toEqual({
      ok: false,
      kind: 'invalid_json',
      reason: 'invalid_json: message is not valid UTF-8',
    });
  });

  it('keeps a JSON object that happens to have an "ok" field', () => {
    expect(parseClick(JSON.stringify({ ...click, ok: false })).ok).toBe(true);
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
    expect(parseCheckout(JSON.stringify(checkout))).toEqual({
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
    const result = parseCheckout(JSON.stringify({ ...checkout, total_amount: amount }));
    expect(result.ok && result.event.totalAmount).toBe(text);
  });

  it('accepts 19.990 in the JSON text: the value has two decimals', () => {
    const raw = JSON.stringify(checkout).replace('19.9', '19.990');
    expect(parseCheckout(raw)).toMatchObject({ ok: true, event: { totalAmount: '19.99' } });
  });

  it.each([
    [-0.01, 'negative_amount: total_amount -0.01 < 0'],
    [-5, 'negative_amount: total_amount -5 < 0'],
    [0.125, 'too_many_decimals: total_amount 0.125 has more than 2 decimals'],
    [19.999, 'too_many_decimals: total_amount 19.999 has more than 2 decimals'],
    [1e-7, 'too_many_decimals: total_amount 1e-7 has more than 2 decimals'],
    ['19.99', 'wrong_type: total_amount must be a finite number, got string'],
    [null, 'wrong_type: total_amount must be a finite number, got null'],
    [1e37, 'amount_out_of_range: total_amount 1e+37 has more than 36 integer digits'],
  ])('dead-letters total_amount %j', (amount, reason) => {
    expect(checkoutReason({ ...checkout, total_amount: amount })).toBe(reason);
  });

  it('accepts the largest amount every store holds (36 integer digits)', () => {
    expect(parseCheckout(JSON.stringify({ ...checkout, total_amount: 1e35 }))).toMatchObject({
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

describe('amountText', () => {
  it('is exact for every cent value up to 10,000.00', () => {
    for (let cents = 0; cents <= 1_000_000; cents += 7) {
      const expected = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      expect(amountText(cents / 100)).toBe(expected);
    }
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
    '2026-03-01 10:00:00.1234567890',
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
    const c = parseClick(JSON.stringify({ ...click, click_id: 'é😀' }));
    const k = parseCheckout(JSON.stringify({ ...checkout, total_amount: 0.3 }));
    if (!c.ok || !k.ok) throw new Error('fixture must parse');
    expect(parseClick(JSON.stringify(toClickWire(c.event)))).toEqual(c);
    expect(parseCheckout(JSON.stringify(toCheckoutWire(k.event)))).toEqual(k);
  });
});

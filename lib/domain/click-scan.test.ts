// The fast path of parseClick: it takes the common shapes (the simulator's JSON.stringify, the
// original generator's json.dumps), declines whatever the full parse might judge otherwise, and
// whenever it takes a message, reads exactly what the full parse reads. The full parse is run on
// the message as a string, which never takes the fast path. events-differential.test.ts holds
// parseClick on bytes, and so this path, to the zod reference as well.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanClick } from './click-scan.ts';
import { parseClick, parseTimestamp, type Click } from './events.ts';
import { StreamGenerator, defaultGeneratorSettings } from '../simulator/stream-generator.ts';

const NOW = Date.UTC(2026, 10, 1, 12);
const read = { now: NOW, maxFutureSkewMs: 60_000 };

const click = {
  click_id: 'clk-1',
  user_id: 42,
  product_id: 'p-7',
  product: 'Ergonomic Headphones',
  price: 121.16,
  url: 'https://shop.example.com/products/7?utm_source=news',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
  ip_address: '10.0.0.1',
  datetime_occured: '2026-11-01 11:59:00.123',
};

/** What the full parse reads from the message, in the fast path's terms (time still text). */
function fullParse(text: string): Omit<Click, 'time'> & { datetime: string } {
  const parsed = parseClick(text, read);
  if (!parsed.ok) throw new Error(`the full parse refused ${text}: ${parsed.reason}`);
  const { time: _time, ...fields } = parsed.event;
  return {
    ...fields,
    datetime: (JSON.parse(text) as { datetime_occured: string }).datetime_occured,
  };
}

/** Equal field for field, numbers by Object.is (-0 is not 0). */
function expectSameFields(got: object | undefined, expected: object): void {
  expect(got).toStrictEqual(expected);
  for (const [key, value] of Object.entries(expected)) {
    expect(Object.is((got as Record<string, unknown>)[key], value)).toBe(true);
  }
}

describe('scanClick', () => {
  it("takes the simulator's messages and the original generator's json.dumps layout", () => {
    const generator = new StreamGenerator({ ...defaultGeneratorSettings, malformedShare: 0 }, 5);
    const messages = generator.emit(NOW - 3_600_000, 200).filter((m) => m.topic === 'clicks');
    expect(messages.length).toBeGreaterThan(100);
    for (const { value } of messages) {
      expectSameFields(scanClick(Buffer.from(value)), fullParse(value));
      // Python's json.dumps: ", " and ": " between members.
      const dumped = JSON.stringify(JSON.parse(value), null, 1)
        .replace(/\n */g, ' ')
        .replace('{ ', '{');
      expect(dumped).toContain('", "');
      expectSameFields(scanClick(Buffer.from(dumped)), fullParse(dumped));
    }
  });

  it('reads any Uint8Array, not only a Buffer', () => {
    const text = JSON.stringify(click);
    expectSameFields(scanClick(new TextEncoder().encode(text)), fullParse(text));
  });

  it('reads -0 as user 0 and a price of -0.0 as -0, as JSON.parse and the full parse do', () => {
    const text = JSON.stringify(click).replace('"user_id":42', '"user_id":-0');
    const scanned = scanClick(Buffer.from(text.replace('121.16', '-0.0')));
    expect(Object.is(scanned?.userId, 0)).toBe(true);
    expect(Object.is(scanned?.price, -0)).toBe(true);
  });

  const declined: [string, string][] = [
    ['an escape in a value', JSON.stringify({ ...click, product: 'a\\"b' })],
    ['an escaped key', JSON.stringify(click).replace('"url"', '"\\u0075rl"')],
    ['non-ASCII text', JSON.stringify({ ...click, product: 'Café' })],
    ['a tab between members', JSON.stringify(click, null, '\t')],
    ['a newline between members', JSON.stringify(click, null, 1)],
    ['a field twice', JSON.stringify(click).replace('{', '{"user_id":7,')],
    ['an unknown field holding null', JSON.stringify({ ...click, extra: null })],
    ['an unknown field holding an object', JSON.stringify({ ...click, extra: { a: 1 } })],
    ['a missing field', JSON.stringify({ ...click, url: undefined })],
    ['a user_id as a string', JSON.stringify({ ...click, user_id: '42' })],
    ['a user_id with a fraction', JSON.stringify(click).replace(':42', ':42.0')],
    ['a user_id with an exponent', JSON.stringify(click).replace(':42', ':42e0')],
    ['a user_id of 16 digits', JSON.stringify(click).replace(':42', ':1234567890123456')],
    ['a price with an exponent', JSON.stringify(click).replace('121.16', '1.2116e2')],
    ['a price of 301 characters', JSON.stringify(click).replace('121.16', '1'.repeat(301))],
    ['a price as a string', JSON.stringify({ ...click, price: '121.16' })],
    ['an empty click_id', JSON.stringify({ ...click, click_id: '' })],
    ['a product_id over 1024 bytes', JSON.stringify({ ...click, product_id: 'p'.repeat(1025) })],
    ['a url over 65535 bytes', JSON.stringify({ ...click, url: 'u'.repeat(65_536) })],
    ['a trailing comma', JSON.stringify(click).replace(/}$/, ',}')],
    ['text after the object', `${JSON.stringify(click)}x`],
    ['a number with a leading zero', JSON.stringify(click).replace(':42', ':042')],
    ['an array', JSON.stringify([click])],
    ['an empty object', '{}'],
    ['nothing', ''],
  ];
  it.each(declined)('declines %s', (_, text) => {
    expect(scanClick(Buffer.from(text))).toBeUndefined();
  });

  it('declines a BOM and bytes that are not UTF-8', () => {
    const text = Buffer.from(JSON.stringify(click));
    expect(scanClick(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]))).toBeUndefined();
    expect(
      scanClick(Buffer.concat([text.subarray(0, 20), Buffer.from([0xc3]), text.subarray(21)])),
    ).toBeUndefined();
  });

  it('reads every price as Number() reads its literal', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.constantFrom('', '-'),
          fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,20}$/)),
          fc.option(fc.stringMatching(/^[0-9]{1,25}$/), { nil: undefined }),
        ),
        ([sign, whole, fraction]) => {
          const literal = `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}`;
          const text = JSON.stringify(click).replace('121.16', literal);
          expect(Object.is(scanClick(Buffer.from(text))?.price, Number(literal))).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('whenever it takes a message, reads what the full parse reads', () => {
    // Printable ASCII without a quote or a backslash (those come out escaped: declined).
    const plain = fc.integer({ min: 0x20, max: 0x7f }).filter((c) => c !== 0x22 && c !== 0x5c);
    const quoted = (minLength: number) =>
      fc
        .string({ unit: plain.map((c) => String.fromCharCode(c)), minLength, maxLength: 30 })
        .map((text) => JSON.stringify(text));
    const id = quoted(1);
    const printable = quoted(0);
    const member = (key: string, value: fc.Arbitrary<string>) =>
      value.map((v) => [JSON.stringify(key), v] as const);
    const message = fc
      .record({
        members: fc.tuple(
          member('click_id', id),
          member(
            'user_id',
            fc.oneof(
              fc.integer().map(String),
              fc.constantFrom('-0', '0', '999999999999999', '-999999999999999'),
            ),
          ),
          member('product_id', id),
          member('product', printable),
          member(
            'price',
            fc.oneof(
              fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
              fc.stringMatching(/^-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,24})?$/),
            ),
          ),
          member('url', printable),
          member('user_agent', printable),
          member('ip_address', printable),
          member(
            'datetime_occured',
            fc.constantFrom(
              '"2026-11-01 11:00:00"',
              '"2026-11-01T11:00:00.5Z"',
              '"2026-11-01 11:30:00.123+01:00"',
            ),
          ),
        ),
        extra: fc.array(
          fc.tuple(
            fc.stringMatching(/^[a-z_]{1,10}$/).map((k) => JSON.stringify(k)),
            fc.oneof(fc.integer().map(String), printable),
          ),
          { maxLength: 3 },
        ),
        order: fc.nat(),
        space: fc.constantFrom('', ' ', '  '),
      })
      .map(({ members, extra, order, space }) => {
        const all: (readonly [string, string])[] = [...members];
        for (const [k, v] of extra) {
          if (!all.some(([key]) => key === k)) all.splice(order % (all.length + 1), 0, [k, v]);
        }
        return `${space}{${all.map(([k, v]) => `${space}${k}${space}:${space}${v}`).join(`,${space}`)}}${space}`;
      });
    let taken = 0;
    fc.assert(
      fc.property(message, (text) => {
        const scanned = scanClick(Buffer.from(text));
        const full = parseClick(text, read);
        if (scanned === undefined) return;
        taken++;
        expect(full.ok).toBe(true);
        if (!full.ok) return;
        const { time, ...fields } = full.event;
        const { datetime, ...scannedFields } = scanned;
        expectSameFields(scannedFields, fields);
        expect(parseTimestamp(datetime)).toStrictEqual({ ok: true, time });
      }),
      { numRuns: 3000 },
    );
    // The shapes above are the fast path's, but for prices JSON.stringify writes with an exponent
    // (about half the doubles): ~1,600 of 3,000 take it.
    expect(taken).toBeGreaterThan(1200);
  });
});

// The hand-written parser (events.ts) against the zod-based one it replaced (issue 13), frozen in
// test/domain/reference-parser/: for any message, as text or as bytes, both accept the same event
// with the same fields or refuse it with the same kind and reason. Messages are built member by
// member from literals, so they can hold what JSON.stringify never writes: duplicate keys, escaped
// names, numbers as written by hand, whitespace, nesting, broken syntax.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as reference from '../../test/domain/reference-parser/zod-events.ts';
import {
  MAX_EVENT_TIME,
  MIN_EVENT_TIME,
  formatIsoTimestamp,
  formatTimestamp,
} from './timestamp.ts';
import { parseCheckout, parseClick, type ParseOptions, type RawMessage } from './events.ts';

const NOW = Date.UTC(2026, 10, 1, 12);

const CLICK_FIELDS = [
  'click_id',
  'user_id',
  'product_id',
  'product',
  'price',
  'url',
  'user_agent',
  'ip_address',
  'datetime_occured',
] as const;
const CHECKOUT_FIELDS = [
  'checkout_id',
  'user_id',
  'product_id',
  'payment_method',
  'total_amount',
  'shipping_address',
  'billing_address',
  'user_agent',
  'ip_address',
  'datetime_occured',
] as const;

/** JSON number literals: plain, signed, fractional, with exponents, huge, at the safe limit. */
const numberLiteral: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '0',
      '-0',
      '7',
      '-7',
      '1.0',
      '1.5',
      '1.5e1',
      '15E-1',
      '0.99999999999999999999',
      '19.990',
      '19.999',
      '0.1000000000000000001',
      '0.005',
      '5e-3',
      '1e2',
      '1E+2',
      '1e-2',
      '1e36',
      '1e35',
      '999999999999999999999999999999999999.99',
      '1000000000000000000000000000000000000',
      '9007199254740991',
      '-9007199254740991',
      '9007199254740992',
      '9007199254740993',
      '90071992547409910',
      '4294967296',
      '2147483648',
      '1e999',
      '-1e999',
      '1e-999',
      '123456789012345678901234567890',
      '0.00',
      '-0.00',
      '100e-2',
    ),
  },
  fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,40}$/)),
      fc.option(fc.stringMatching(/^[0-9]{1,25}$/), { nil: undefined }),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.nat(400)), {
        nil: undefined,
      }),
    )
    .map(
      ([sign, whole, fraction, exponent]) =>
        `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : exponent.join('')}`,
    ),
  fc.integer({ min: -200, max: 200 }).map(String),
  fc.double().map((d) => JSON.stringify(d)), // NaN and Infinity stringify as null
);

/** Event times near the reader's clock and the years' bounds, in every accepted shape and some not. */
const timestampLiteral = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.oneof(
          fc.integer({ min: NOW - 3_600_000, max: NOW + 130_000 }),
          fc.constantFrom(NOW, NOW + 60_000, NOW + 60_001, NOW + 1, NOW - 1),
          fc.integer({ min: MIN_EVENT_TIME, max: MIN_EVENT_TIME + 86_400_000 }),
          fc.integer({ min: MAX_EVENT_TIME - 86_400_000, max: MAX_EVENT_TIME }),
        ),
        fc.constantFrom('naive', 'iso', 'offset', 'bare-offset', 'lower-t', 'micros'),
      )
      .map(([t, shape]) => {
        const iso = formatIsoTimestamp(t);
        switch (shape) {
          case 'naive':
            return formatTimestamp(t);
          case 'iso':
            return iso;
          case 'offset':
            return iso.replace('Z', '+00:00');
          case 'bare-offset':
            return iso.replace('Z', '-0000');
          case 'lower-t':
            return iso.replace('T', 't').replace('Z', 'z');
          default:
            return iso.replace('Z', '999Z');
        }
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0001-01-01T00:00:00Z',
      '0001-01-01T00:00:00+01:00',
      '0000-12-31T23:30:00-01:00',
      '0000-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.999-00:01',
      '10000-01-01T00:00:00Z',
      '2026-02-29 10:00:00',
      '2024-02-29 10:00:00',
      '2026-13-01 10:00:00',
      '2026-03-01 24:00:00',
      '2026-03-01 10:00:60',
      '2026-03-01 10:00:00+24:00',
      '2026-03-01 10:00:00+23:59',
      '2026-03-01 10:00:00.1234567890',
      '2026-03-01',
      'yesterday',
      '',
      `${'9'.repeat(100)}`,
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

/** Texts: plain, unicode, escapes that JSON.parse turns into NUL or lone surrogates, long ones. */
const textValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
  { weight: 2, arbitrary: fc.constantFrom('', 'c-1', 'p-1', 'Mozilla/5.0 (X11; Linux x86_64)') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'a\u0000b',
      '\ud800',
      'x\udc00',
      '\ud83d\ude00',
      '\udc00\ud800',
      'https://shop.example/p?utm_source=a&x=[1]{2}',
      '"user_id":1}',
      '\\',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('a', 'é', '€', '😀'),
        fc.constantFrom(340, 341, 342, 512, 1023, 1024, 1025),
      )
      .map(([unit, n]) => unit.repeat(n)),
  },
);

/** Any JSON value literal, as JSON.stringify writes it. */
const otherValue = fc.oneof(
  fc.constantFrom('null', 'true', 'false', '[]', '{}', '[1]', '{"user_id":5}', '["a",{"b":[]}]'),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
);

const stringLiteral = (text: string) => JSON.stringify(text);

/** A literal of the field's type that mostly passes: the common case must agree too. */
function validLiteral(field: string): fc.Arbitrary<string> {
  switch (field) {
    case 'user_id':
      return fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 100 }).map(String) },
        { weight: 1, arbitrary: fc.maxSafeInteger().map(String) },
        { weight: 1, arbitrary: numberLiteral },
      );
    case 'price':
      return fc.oneof(
        fc.integer({ min: 0, max: 100_000 }).map((cents) => String(cents / 100)),
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
        numberLiteral,
      );
    case 'total_amount':
      return fc.oneof(
        fc.integer({ min: 0, max: 10_000_000 }).map((cents) => String(cents / 100)),
        fc.stringMatching(/^[1-9][0-9]{0,35}\.[0-9]{2}$/),
        numberLiteral,
      );
    case 'datetime_occured':
      return timestampLiteral.map(stringLiteral);
    default:
      return fc
        .oneof(
          { weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,12}$/) },
          { weight: 1, arbitrary: textValue },
        )
        .map(stringLiteral)
        .chain((literal) =>
          fc.oneof({ weight: 20, arbitrary: fc.constant(literal) }, rawSurrogates),
        );
  }
}

/**
 * Strings with lone surrogates written raw, not escaped as JSON.stringify writes them: only a
 * message given as text can hold them (its bytes would be U+FFFD), and JSON.parse keeps them.
 */
const rawSurrogates = fc.constantFrom('"\ud800"', '"a\udc00b"', '"\udc00\ud800"', '"\ud83d\ude00"');

/** A value literal for a field of any type, right or wrong, numbers as strings among them. */
function anyLiteral(field: string): fc.Arbitrary<string> {
  return fc.oneof(
    validLiteral(field),
    numberLiteral,
    numberLiteral.map(stringLiteral),
    otherValue,
    textValue.map(stringLiteral),
  );
}

/** A key as written for a field: escaped (the same name to JSON.parse) or a near miss. */
function oddKey(field: string): fc.Arbitrary<string> {
  return fc.constantFrom(
    `"\\u${field.charCodeAt(0).toString(16).padStart(4, '0')}${field.slice(1)}"`,
    stringLiteral(`${field} `),
    stringLiteral(field.toUpperCase()),
  );
}

type Member = [key: string, value: string];

const extraMember: fc.Arbitrary<Member> = fc.tuple(
  fc.oneof(
    fc.string({ maxLength: 8 }).map(stringLiteral),
    fc.constantFrom('"__proto__"', '"constructor"', '"ok"', '"event"', '"toString"'),
  ),
  fc.oneof(otherValue, numberLiteral, textValue.map(stringLiteral)),
);

/** One change to a message's members: a field gone, odd, duplicated; an extra member. */
function perturbation(fields: readonly string[]): fc.Arbitrary<(list: Member[]) => void> {
  const at = fc.nat({ max: fields.length - 1 });
  return fc.oneof(
    at.map((i) => (list: Member[]) => void list.splice(i, 1)),
    at.chain((i) =>
      anyLiteral(fields[i]!).map((v) => (list: Member[]) => {
        if (list[i]) list[i] = [list[i][0], v];
      }),
    ),
    at.chain((i) =>
      oddKey(fields[i]!).map((k) => (list: Member[]) => {
        if (list[i]) list[i] = [k, list[i][1]];
      }),
    ),
    fc.tuple(at, fc.boolean()).chain(([i, first]) =>
      anyLiteral(fields[i]!).map((v) => (list: Member[]) => {
        const member: Member = [stringLiteral(fields[i]!), v];
        if (first) list.unshift(member);
        else list.push(member);
      }),
    ),
    fc.tuple(extraMember, fc.nat()).map(([extra, n]) => (list: Member[]) => {
      list.splice(n % (list.length + 1), 0, extra);
    }),
  );
}

/**
 * A message for the given fields: all of them with passing literals, then none to several
 * changes (perturbation), shuffled at times, joined with whitespace at times.
 */
function messageText(fields: readonly string[]): fc.Arbitrary<string> {
  return fc
    .record({
      values: fc.tuple(...fields.map(validLiteral)),
      changes: fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        { weight: 2, arbitrary: fc.array(perturbation(fields), { minLength: 1, maxLength: 2 }) },
        { weight: 1, arbitrary: fc.array(perturbation(fields), { minLength: 3, maxLength: 8 }) },
      ),
      shuffle: fc.option(fc.nat(), { nil: undefined }),
      space: fc.constantFrom('', '', '', ' ', '\n', '\t', ' \r\n '),
    })
    .map(({ values, changes, shuffle, space }) => {
      let list: Member[] = fields.map((f, i) => [stringLiteral(f), values[i]!]);
      for (const change of changes) change(list);
      if (shuffle !== undefined) {
        list = list
          .map((m, i) => [m, (i * 7919 + shuffle) % 101] as const)
          .sort((a, b) => a[1] - b[1])
          .map(([m]) => m);
      }
      return `${space}{${list.map(([k, v]) => `${space}${k}${space}:${space}${v}`).join(',')}${space}}${space}`;
    });
}

/** Breaks a message now and then: cut, a byte changed, a trailing comma, not an object at all. */
function mutated(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 10, arbitrary: text },
    {
      weight: 1,
      arbitrary: fc.tuple(text, fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(text, fc.nat(), fc.constantFrom('"', ',', '}', '{', '\\', '\u0000', '\n', 'x', ']'))
        .map(([t, n, c]) => {
          const at = n % (t.length + 1);
          return t.slice(0, at) + c + t.slice(at + 1);
        }),
    },
    { weight: 1, arbitrary: text.map((t) => t.replace(/}\s*$/, ',}')) },
    { weight: 1, arbitrary: otherValue },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '[]', '"x"', '7', 'null', '{', '{}') },
  );
}

/** The message as text, as its UTF-8 bytes, with a BOM, or with bytes that are not UTF-8. */
function raws(text: string): RawMessage[] {
  return [
    text,
    Buffer.from(text),
    new Uint8Array(Buffer.from(text)),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
    Buffer.concat([Buffer.from(text.slice(0, 5)), Buffer.from([0xc3]), Buffer.from(text.slice(5))]),
  ];
}

const options: fc.Arbitrary<ParseOptions> = fc.record({
  now: fc.constant(NOW),
  maxFutureSkewMs: fc.constantFrom(0, 1, 60_000, 120_000),
});

/** Same outcome, field for field; numbers compared with Object.is (0 and -0 differ). */
function expectSame(got: unknown, expected: unknown): void {
  expect(got).toStrictEqual(expected);
  if (typeof got === 'object' && got !== null && 'event' in got) {
    const a = (got as { event: Record<string, unknown> }).event;
    const b = (expected as { event: Record<string, unknown> }).event;
    for (const key of Object.keys(b)) expect(Object.is(a[key], b[key])).toBe(true);
  }
}

function outcome<R>(parse: () => R): R | { threw: string } {
  try {
    return parse();
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

describe('parseClick and parseCheckout against the zod reference', () => {
  it('agree on every click message, as text or bytes', () => {
    fc.assert(
      fc.property(mutated(messageText(CLICK_FIELDS)), options, (text, read) => {
        for (const raw of raws(text)) {
          expectSame(
            outcome(() => parseClick(raw, read)),
            outcome(() => reference.parseClick(raw, read)),
          );
        }
      }),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('agree on every checkout message, as text or bytes', () => {
    fc.assert(
      fc.property(mutated(messageText(CHECKOUT_FIELDS)), options, (text, read) => {
        for (const raw of raws(text)) {
          expectSame(
            outcome(() => parseCheckout(raw, read)),
            outcome(() => reference.parseCheckout(raw, read)),
          );
        }
      }),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('agree when a click is read as a checkout and the other way round', () => {
    fc.assert(
      fc.property(
        messageText(CLICK_FIELDS),
        messageText(CHECKOUT_FIELDS),
        options,
        (c, k, read) => {
          expectSame(parseCheckout(c, read), reference.parseCheckout(c, read));
          expectSame(parseClick(k, read), reference.parseClick(k, read));
        },
      ),
      { numRuns: 500 },
    );
  }, 60_000);

  it('agree on texts at the longest every store holds and past it', () => {
    const read = { now: NOW, maxFutureSkewMs: 60_000 };
    const click = {
      click_id: 'c',
      user_id: 1,
      product_id: 'p',
      product: '',
      price: 1,
      url: '',
      user_agent: '',
      ip_address: '',
      datetime_occured: '2026-03-01 10:00:00',
    };
    for (const long of [
      'a'.repeat(65_535),
      'a'.repeat(65_536),
      '€'.repeat(21_845),
      '€'.repeat(21_846),
    ]) {
      for (const field of ['url', 'click_id', 'product_id'] as const) {
        const text = JSON.stringify({ ...click, [field]: long });
        for (const raw of [text, Buffer.from(text)]) {
          expectSame(parseClick(raw, read), reference.parseClick(raw, read));
        }
      }
    }
  });

  it('agree on tombstones, empty values and bad parse options', () => {
    const read = { now: NOW, maxFutureSkewMs: 60_000 };
    for (const raw of [null, '', new Uint8Array(0), Buffer.alloc(0)]) {
      expectSame(parseClick(raw, read), reference.parseClick(raw, read));
      expectSame(parseCheckout(raw, read), reference.parseCheckout(raw, read));
    }
    for (const bad of [
      { now: Number.NaN, maxFutureSkewMs: 0 },
      { now: NOW, maxFutureSkewMs: -1 },
    ]) {
      expectSame(
        outcome(() => parseClick('{}', bad)),
        outcome(() => reference.parseClick('{}', bad)),
      );
    }
  });
});

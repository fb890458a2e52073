import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topLevelNumberTexts } from './json-number-text.ts';

const KEYS = ['user_id', 'total_amount'] as const;

/** A JSON number literal, from plain to absurd. */
const numberLiteral = fc
  .tuple(
    fc.constantFrom('', '-'),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,40}$/)),
    fc.option(fc.stringMatching(/^[0-9]{1,30}$/), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.nat(400)), {
      nil: undefined,
    }),
  )
  .map(
    ([sign, whole, fraction, exponent]) =>
      `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : `${exponent[0]}${exponent[1]}${exponent[2]}`}`,
  );

/** A key as written: wanted keys plain or with escapes, and others that look alike. */
const keyLiteral = fc.oneof(
  fc.constantFrom(
    '"user_id"',
    '"total_amount"',
    '"user\\u005fid"',
    '"\\u0074otal_amount"',
    '"user_id "',
    '"user_id\\\\"',
    '"User_id"',
  ),
  fc.string({ maxLength: 12 }).map((k) => JSON.stringify(k)),
);

const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n  ');

/** A value that is not a number: any JSON, nesting and strings full of quotes included. */
const otherValue = fc.oneof(
  fc.json({ maxDepth: 3 }).filter((t) => typeof JSON.parse(t) !== 'number'),
  fc.constantFrom('"\\"user_id\\":5"', '{"user_id":1.5,"x":["}"]}', '["\\\\",{"total_amount":1}]'),
);

const member = fc.record({
  key: keyLiteral,
  value: fc.oneof(numberLiteral, otherValue),
  before: space,
  after: space,
});

describe('topLevelNumberTexts', () => {
  it('finds the literal JSON.parse reads for each wanted key, whatever surrounds it', () => {
    fc.assert(
      fc.property(fc.array(member, { maxLength: 12 }), space, (members, outer) => {
        const text = `${outer}{${members
          .map((m) => `${m.before}${m.key}${m.after}:${m.before}${m.value}${m.after}`)
          .join(',')}}${outer}`;
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const found = topLevelNumberTexts(text, KEYS);
        for (const key of KEYS) {
          const last = members.filter((m) => JSON.parse(m.key) === key).at(-1);
          if (typeof parsed[key] === 'number') {
            expect(found[key]).toBe(last?.value);
            expect(Number(found[key])).toBe(parsed[key]);
          } else {
            expect(found[key]).toBeUndefined();
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('answers the same for flat, unescaped objects, found without walking them', () => {
    const cases: [string, Partial<Record<string, string>>][] = [
      ['{"user_id":12,"total_amount":1.50}', { user_id: '12', total_amount: '1.50' }],
      ['{"a":"user_id","user_id":-0}', { user_id: '-0' }],
      ['{"a":"user_id","b":["total_amount",1]}', {}],
      ['{"user_id":1,"user_id":"1"}', {}],
      ['{"user_id":"1","user_id":2e3}', { user_id: '2e3' }],
      ['{"x":["user_id"],"user_id" : 7 }', { user_id: '7' }],
      ['{"x":"{\\"user_id\\":1}","user_id":3}', { user_id: '3' }],
      ['{"x":{"user_id":1},"user_id":4}', { user_id: '4' }],
    ];
    for (const [text, expected] of cases) {
      expect(JSON.parse(text)).toBeTypeOf('object');
      expect(topLevelNumberTexts(text, KEYS)).toEqual(expected);
    }
  });

  it('walks deep nesting without recursion and long texts in linear time', () => {
    const deep = `{"x":${'['.repeat(200_000)}${']'.repeat(200_000)},"user_id":12}`;
    expect(topLevelNumberTexts(deep, KEYS)).toEqual({ user_id: '12' });
    const many = JSON.stringify(
      Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])),
    );
    const started = performance.now();
    expect(topLevelNumberTexts(`${many.slice(0, -1)},"total_amount":1e2}`, KEYS)).toEqual({
      total_amount: '1e2',
    });
    expect(performance.now() - started).toBeLessThan(5000); // quadratic would take minutes
  });
});

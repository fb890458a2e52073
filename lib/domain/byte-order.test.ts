import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes } from './byte-order.ts';

const utf8Order = (a: string, b: string) =>
  Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe('compareBytes', () => {
  it.each([
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['a', 'a', 0],
    ['a', 'ab', -1],
    ['', 'a', -1],
    ['B', 'a', -1],
    ['z', 'é', -1],
    // U+FF21 (3 UTF-8 bytes, EF BC A1) sorts before U+1F600 (F0 9F 98 80); UTF-16 says otherwise.
    ['\uff21', '\u{1f600}', -1],
    ['\u{1f600}', '\uffff', 1],
    ['\ue000', '\u{10000}', -1],
  ])('compareBytes(%j, %j) has sign %i', (a, b, sign) => {
    expect(Math.sign(compareBytes(a, b))).toBe(sign);
    expect(utf8Order(a, b)).toBe(sign);
  });

  it('agrees with Buffer.compare of the UTF-8 bytes on random strings', () => {
    const text = fc.string({ unit: 'binary', maxLength: 6 });
    fc.assert(
      fc.property(text, text, (a, b) => Math.sign(compareBytes(a, b)) === utf8Order(a, b)),
      { numRuns: 2000 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from './binary-io.ts';

/** What str() wrote before its ASCII loop: a u32 length, then Buffer.write's UTF-8. */
function reference(value: string): Buffer {
  const text = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(text.length);
  return Buffer.concat([length, text]);
}

describe('ByteWriter.str', () => {
  it('writes the bytes Buffer.write writes, for any text around the ASCII loop’s limits', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 70 }), // lone surrogates too
      fc.string({ unit: 'grapheme-ascii', minLength: 60, maxLength: 70 }),
      fc
        .tuple(fc.string({ maxLength: 66 }), fc.constantFrom('é', '€', '😀', '\u007f', '\u0080'))
        .map(([ascii, other]) => ascii + other),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 5 }), (values) => {
        const w = new ByteWriter(8);
        for (const v of values) w.str(v);
        const bytes = w.finish();
        expect(bytes).toEqual(Buffer.concat(values.map(reference)));
        const r = new ByteReader(bytes);
        for (const v of values) expect(r.str()).toBe(Buffer.from(v, 'utf8').toString('utf8'));
      }),
      { numRuns: 500 },
    );
  }, 30_000);
});

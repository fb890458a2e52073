import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AvroDecimal, avroType, bigintOfTwosComplement, twosComplementOf } from './avro-types.ts';

describe('avro types of the gate', () => {
  it('reads and writes every 64-bit long exactly, as a bigint', () => {
    const type = avroType('"long"');
    fc.assert(
      fc.property(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), (n) => {
        expect(type.fromBuffer(type.toBuffer(n))).toBe(n);
      }),
    );
    // Avro's zigzag varint: 2^53 + 1 would be 2^53 as a double.
    expect(type.fromBuffer(type.toBuffer(2n ** 53n + 1n))).toBe(2n ** 53n + 1n);
  });

  it('reads longs as bigint under timestamp-millis and inside unions too', () => {
    const type = avroType({
      type: 'record',
      name: 'R',
      fields: [
        { name: 't', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'u', type: ['null', 'long'] },
      ],
    });
    const value = type.fromBuffer(type.toBuffer({ t: 2n ** 60n, u: -(2n ** 60n) })) as object;
    expect(value).toEqual({ t: 2n ** 60n, u: -(2n ** 60n) });
  });

  it('writes decimals as the shortest two-s complement, and reads them back', () => {
    expect([...twosComplementOf(0n)]).toEqual([0]);
    expect([...twosComplementOf(127n)]).toEqual([0x7f]);
    expect([...twosComplementOf(128n)]).toEqual([0x00, 0x80]);
    expect([...twosComplementOf(-1n)]).toEqual([0xff]);
    expect([...twosComplementOf(-129n)]).toEqual([0xff, 0x7f]);
    fc.assert(
      fc.property(fc.bigInt(-(10n ** 38n), 10n ** 38n), (n) => {
        expect(bigintOfTwosComplement(twosComplementOf(n))).toBe(n);
      }),
    );
  });

  it('keeps a decimal scale and precision, and refuses text it would have to round', () => {
    const type = avroType({ type: 'bytes', logicalType: 'decimal', precision: 38, scale: 2 });
    expect(type).toBeInstanceOf(AvroDecimal);
    expect(type.fromBuffer(type.toBuffer('19.9'))).toEqual({ unscaled: 1990n, scale: 2 });
    expect(() => type.toBuffer('19.999')).toThrow();
    expect(type.schema({ exportAttrs: true })).toEqual({
      type: 'bytes',
      logicalType: 'decimal',
      precision: 38,
      scale: 2,
    });
  });
});

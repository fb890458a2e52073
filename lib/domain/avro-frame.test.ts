import { describe, expect, it } from 'vitest';
import { frameAvro, readFrame } from './avro-frame.ts';

describe('Confluent framing', () => {
  it('reads the magic byte, the big-endian schema id and the body', () => {
    const framed = frameAvro(0x01020304, Buffer.from([9, 8, 7]));
    expect([...framed]).toEqual([0, 1, 2, 3, 4, 9, 8, 7]);
    const frame = readFrame(framed);
    expect(frame).toMatchObject({ encoding: 'avro', schemaId: 0x01020304 });
    expect(frame.encoding === 'avro' && frame.schemaId !== null && [...frame.body]).toEqual([
      9, 8, 7,
    ]);
  });

  it('reads ids up to 2^32 − 1 as unsigned, and an empty body', () => {
    expect(readFrame(frameAvro(0xffffffff, new Uint8Array(0)))).toMatchObject({
      schemaId: 0xffffffff,
    });
    expect(() => frameAvro(2 ** 32, new Uint8Array(0))).toThrow(/does not fit/);
  });

  it.each([1, 2, 3, 4])('calls magic byte 0 in %s byte(s) a frame without a schema id', (n) => {
    expect(readFrame(Buffer.alloc(n))).toEqual({ encoding: 'avro', schemaId: null });
  });

  it.each([
    ['a JSON object', Buffer.from('{"a":1}')],
    ['JSON with leading whitespace', Buffer.from(' \n{}')],
    ['an empty value', Buffer.alloc(0)],
    ['a tombstone', null],
    ['text (a string is JSON text)', '\u0000\u0000\u0000\u0000\u0001'],
  ])('leaves %s to the JSON gate', (_label, raw) => {
    expect(readFrame(raw)).toEqual({ encoding: 'json' });
  });
});

import { describe, expect, it } from 'vitest';
import type { RangeRecord } from './kafka-range-reader.ts';
import { packRecords, transferList, unpackRecords } from './record-transfer.ts';

const text = (v: Uint8Array | null) => (v === null ? null : Buffer.from(v).toString());

/** Records whose values are views into one buffer, as kafkajs hands them out. */
function viewsOfOneBuffer(values: (string | null)[], gap = 3): RangeRecord[] {
  const bytes = values.map((v) => (v === null ? null : Buffer.from(v)));
  const response = Buffer.alloc(bytes.reduce((n, b) => n + (b?.length ?? 0) + gap, 64));
  let at = 32;
  return bytes.map((b, i) => {
    if (b === null) return { offset: 100 + i, timestamp: 1_000 + i, value: null };
    b.copy(response, at);
    const value = response.subarray(at, at + b.length);
    at += b.length + gap;
    return { offset: 100 + i, timestamp: 1_000 + i, value };
  });
}

describe('packRecords / unpackRecords', () => {
  it('gives back every record, tombstones and empty values included', () => {
    const records = viewsOfOneBuffer(['{"a":1}', null, '', 'ü-not-ascii', '{"b":2}']);
    const back = unpackRecords(packRecords(records));
    expect(back.map((r) => [r.offset, r.timestamp, text(r.value)])).toEqual(
      records.map((r) => [r.offset, r.timestamp, text(r.value)]),
    );
  });

  it('copies the region of a shared buffer once, not the whole buffer', () => {
    const records = viewsOfOneBuffer(['x'.repeat(100), 'y'.repeat(100), 'z'.repeat(100)]);
    const packed = packRecords(records);
    // The values and the two gaps between them, not the 32 bytes before or the tail.
    expect(packed.data.length).toBe(306);
    expect(packed.data.buffer.byteLength).toBe(306);
    expect(text(unpackRecords(packed)[2]!.value)).toBe('z'.repeat(100));
  });

  it('copies values one by one when they come from different buffers', () => {
    const records: RangeRecord[] = [
      { offset: 1, timestamp: 1, value: Buffer.from('first') },
      { offset: 2, timestamp: 2, value: new TextEncoder().encode('second') },
    ];
    const packed = packRecords(records);
    expect(packed.data.length).toBe(11);
    expect(unpackRecords(packed).map((r) => text(r.value))).toEqual(['first', 'second']);
  });

  it('copies values one by one when the region would be mostly other bytes', () => {
    const records = viewsOfOneBuffer(['a', 'b'], 10_000);
    const packed = packRecords(records);
    expect(packed.data.length).toBe(2);
    expect(unpackRecords(packed).map((r) => text(r.value))).toEqual(['a', 'b']);
  });

  it('leaves the source buffer usable once the packed buffers are transferred', () => {
    const records = viewsOfOneBuffer(['keep', 'me']);
    const packed = packRecords(records);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(packed, transferList(packed));
    port1.close();
    port2.close();
    expect(packed.data.byteLength).toBe(0); // detached: it was moved, not shared
    expect(records.map((r) => text(r.value))).toEqual(['keep', 'me']);
  });
});

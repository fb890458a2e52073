// A batch of range records as a handful of typed arrays, to cross to a worker thread as transferred
// buffers. kafkajs hands out record values as views into the fetch response's buffer, so the
// values of one batch usually lie in one region of one buffer: that region is copied once (a
// single memcpy) and each record keeps its start and end in it. Values from different buffers
// (decompressed batches, for one), or a region much larger than the values, are copied one by one.
import type { RangeRecord } from './kafka-range-reader.ts';

export interface PackedRecords {
  offsets: Float64Array;
  timestamps: Float64Array;
  /** Where each value starts and ends in `data`. */
  starts: Uint32Array;
  ends: Uint32Array;
  /** 1 where the record is a tombstone (null value). */
  tombstones: Uint8Array;
  data: Uint8Array;
}

/** A shared region is copied whole only while it is at most this much larger than its values. */
const MAX_REGION_OVERHEAD = 2;

export function packRecords(records: RangeRecord[]): PackedRecords {
  const n = records.length;
  const packed: PackedRecords = {
    offsets: new Float64Array(n),
    timestamps: new Float64Array(n),
    starts: new Uint32Array(n),
    ends: new Uint32Array(n),
    tombstones: new Uint8Array(n),
    data: new Uint8Array(0),
  };
  let shared: ArrayBufferLike | undefined;
  let oneBuffer = true;
  let low = Infinity;
  let high = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    packed.offsets[i] = r.offset;
    packed.timestamps[i] = r.timestamp;
    const v = r.value;
    if (v === null) {
      packed.tombstones[i] = 1;
      continue;
    }
    total += v.length;
    if (shared === undefined) shared = v.buffer;
    else if (v.buffer !== shared) oneBuffer = false;
    if (v.byteOffset < low) low = v.byteOffset;
    if (v.byteOffset + v.length > high) high = v.byteOffset + v.length;
  }
  if (shared === undefined) return packed;
  if (oneBuffer && high - low <= MAX_REGION_OVERHEAD * total + 4096) {
    packed.data = new Uint8Array(shared, low, high - low).slice();
    for (let i = 0; i < n; i++) {
      const v = records[i]!.value;
      if (v === null) continue;
      packed.starts[i] = v.byteOffset - low;
      packed.ends[i] = v.byteOffset - low + v.length;
    }
    return packed;
  }
  packed.data = new Uint8Array(total);
  let position = 0;
  for (let i = 0; i < n; i++) {
    const v = records[i]!.value;
    packed.starts[i] = position;
    if (v !== null) {
      packed.data.set(v, position);
      position += v.length;
    }
    packed.ends[i] = position;
  }
  return packed;
}

/** The records again, each value a view into `data`. */
export function unpackRecords(packed: PackedRecords): RangeRecord[] {
  const n = packed.offsets.length;
  const records: RangeRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    records[i] = {
      offset: packed.offsets[i]!,
      timestamp: packed.timestamps[i]!,
      value: packed.tombstones[i] ? null : packed.data.subarray(packed.starts[i], packed.ends[i]),
    };
  }
  return records;
}

/** The buffers a packed batch transfers. */
export function transferList(packed: PackedRecords): ArrayBuffer[] {
  return [
    packed.offsets.buffer,
    packed.timestamps.buffer,
    packed.starts.buffer,
    packed.ends.buffer,
    packed.tombstones.buffer,
    packed.data.buffer,
  ] as ArrayBuffer[];
}

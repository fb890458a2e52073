// Column buffers → Apache Arrow record batches with the Parquet types Delta expects (PROTOCOL.md
// "Delta Data Type to Parquet Type Mappings"): timestamp = INT64 micros adjusted to UTC, date =
// INT32 DATE, decimal = DECIMAL(p,s), string = UTF-8 binary. Arrays are built directly (no
// per-value builders) because this is on the export's hot path.
import * as arrow from 'apache-arrow';
import { decimalOf, type DeltaField } from './delta-schema.ts';
import {
  BinaryColumn,
  BooleanColumn,
  DecimalColumn,
  NumericColumn,
  StringColumn,
  type Column,
} from './column-buffers.ts';
import type { RowBuffer } from './row-buffer.ts';

export function arrowType(field: DeltaField): arrow.DataType {
  const decimal = decimalOf(field.type);
  if (decimal) return new arrow.Decimal(decimal.scale, decimal.precision, 128);
  switch (field.type) {
    case 'string':
      return new arrow.Utf8();
    case 'binary':
      return new arrow.Binary();
    case 'long':
      return new arrow.Int64();
    case 'integer':
      return new arrow.Int32();
    case 'short':
      return new arrow.Int16();
    case 'byte':
      return new arrow.Int8();
    case 'double':
      return new arrow.Float64();
    case 'float':
      return new arrow.Float32();
    case 'boolean':
      return new arrow.Bool();
    case 'date':
      return new arrow.DateDay();
    case 'timestamp':
      return new arrow.TimestampMicrosecond('UTC');
    default:
      throw new Error(`no Arrow type for ${field.type}`);
  }
}

export function arrowSchema(fields: DeltaField[]): arrow.Schema {
  return new arrow.Schema(fields.map((f) => new arrow.Field(f.name, arrowType(f), f.nullable)));
}

/** Packs one byte per row (0/1) into an Arrow bitmap (LSB first). */
function packBits(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (bytes[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

const encoder = new TextEncoder();

/** The string every one of the first `length` values is, if they are all the same non-null one. */
function constantValue(values: (string | null)[], length: number): string | undefined {
  const first = values[0];
  if (length < 2 || first === null || first === undefined) return undefined;
  for (let i = 1; i < length; i++) if (values[i] !== first) return undefined;
  return first;
}

/**
 * UTF-8 bytes and offsets of a string column; one native encode when the text is ASCII (and
 * whether it was: then no value holds a surrogate).
 */
function encodeStrings(
  values: (string | null)[],
  length: number,
): { offsets: Int32Array; data: Uint8Array; ascii: boolean } {
  const offsets = new Int32Array(length + 1);
  const constant = constantValue(values, length);
  if (constant !== undefined) {
    // One value in every row (a chunk's kafka_topic): its bytes, repeated natively.
    const one = Buffer.from(constant, 'utf8');
    for (let i = 1; i <= length; i++) offsets[i] = i * one.length;
    const data = new Uint8Array(one.length * length);
    if (one.length > 0) Buffer.from(data.buffer).fill(one);
    return { offsets, data, ascii: one.length === constant.length };
  }
  const joined = values.length === length ? values.join('') : values.slice(0, length).join('');
  const bytes = Buffer.from(joined, 'utf8');
  if (bytes.length === joined.length) {
    // Pure ASCII: byte offsets equal UTF-16 lengths (null joins as '').
    let pos = 0;
    for (let i = 0; i < length; i++) {
      pos += values[i]?.length ?? 0;
      offsets[i + 1] = pos;
    }
    return {
      offsets,
      data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      ascii: true,
    };
  }
  let data = new Uint8Array(bytes.length);
  let pos = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (v) {
      const { written } = encoder.encodeInto(v, data.subarray(pos));
      pos += written;
    }
    offsets[i + 1] = pos;
  }
  data = data.subarray(0, pos);
  return { offsets, data, ascii: false };
}

function concatBinary(
  values: (Uint8Array | null)[],
  length: number,
): { offsets: Int32Array; data: Uint8Array } {
  const offsets = new Int32Array(length + 1);
  let total = 0;
  for (let i = 0; i < length; i++) total += values[i]?.length ?? 0;
  const data = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (v) {
      data.set(v, pos);
      pos += v.length;
    }
    offsets[i + 1] = pos;
  }
  return { offsets, data };
}

function columnData(column: Column): arrow.Data {
  const type = arrowType(column.field);
  const length = column.length;
  const nullCount = column.nullCount;
  const nullBitmap = nullCount > 0 ? packBits(column.validity, length) : undefined;
  const base = { type, length, nullCount, nullBitmap } as const;
  if (column instanceof StringColumn) {
    const { offsets, data, ascii } = encodeStrings(column.values, length);
    // ASCII bytes (as many as UTF-16 units) rule out surrogates: min/max may compare natively.
    column.foldBounds(ascii);
    return arrow.makeData({ ...base, type: type as arrow.Utf8, valueOffsets: offsets, data });
  }
  if (column instanceof BinaryColumn) {
    const { offsets, data } = concatBinary(column.values, length);
    return arrow.makeData({ ...base, type: type as arrow.Binary, valueOffsets: offsets, data });
  }
  if (column instanceof BooleanColumn) {
    return arrow.makeData({
      ...base,
      type: type as arrow.Bool,
      data: packBits(column.values, length),
    });
  }
  if (column instanceof DecimalColumn) {
    // 128-bit little-endian two's complement: the low 64 bits, then the high 64 bits.
    const words = new BigInt64Array(length * 2);
    for (let i = 0; i < length; i++) {
      const x = column.values[i]!;
      words[2 * i] = BigInt.asIntN(64, x);
      words[2 * i + 1] = BigInt.asIntN(64, x >> 64n);
    }
    return arrow.makeData({
      ...base,
      type: type as arrow.Decimal,
      data: new Uint32Array(words.buffer),
    });
  }
  if (!(column instanceof NumericColumn)) throw new Error('unknown column kind');
  const v = column.values;
  switch (column.kind) {
    case 'double':
      return arrow.makeData({
        ...base,
        type: type as arrow.Float64,
        data:
          column.field.type === 'float'
            ? Float32Array.from(v.subarray(0, length))
            : v.slice(0, length),
      });
    case 'integer': {
      const data =
        column.field.type === 'short'
          ? Int16Array.from(v.subarray(0, length))
          : column.field.type === 'byte'
            ? Int8Array.from(v.subarray(0, length))
            : Int32Array.from(v.subarray(0, length));
      return arrow.makeData({ ...base, type: type as arrow.Int32, data: data as Int32Array });
    }
    case 'date':
      return arrow.makeData({
        ...base,
        type: type as arrow.DateDay,
        data: Int32Array.from(v.subarray(0, length)),
      });
    case 'long':
      return arrow.makeData({ ...base, type: type as arrow.Int64, data: int64Words(v, length, 1) });
    case 'timestamp':
      return arrow.makeData({
        ...base,
        type: type as arrow.TimestampMicrosecond,
        data: int64Words(v, length, 1000),
      });
  }
}

const TWO_32 = 4_294_967_296;

/**
 * Safe integers times `factor` (1 or 1000) as little-endian 64-bit two's complement, written as
 * 32-bit halves: a BigInt per value costs more than the rest of the column. Exact: `v` is split
 * at 2^32 first, so no product exceeds 2^53 (ms → µs of any safe-integer time fits in 64 bits).
 */
export function int64Words(values: Float64Array, length: number, factor: number): Int32Array {
  const words = new Int32Array(length * 2);
  for (let i = 0; i < length; i++) {
    const v = values[i]!;
    const high = Math.floor(v / TWO_32);
    const low = (v - high * TWO_32) * factor; // < 2^32 * 1000 < 2^53: exact
    const carry = Math.floor(low / TWO_32);
    words[2 * i] = low - carry * TWO_32; // stored as the uint32 bit pattern
    words[2 * i + 1] = high * factor + carry;
  }
  return words;
}

/** The buffered chunk of `rows` as one Arrow record batch (the buffer is left untouched). */
export function toRecordBatch(rows: RowBuffer): arrow.RecordBatch {
  rows.assertAligned();
  const schema = arrowSchema(rows.dataFields);
  const children = rows.columns.map(columnData);
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: rows.length,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, data);
}

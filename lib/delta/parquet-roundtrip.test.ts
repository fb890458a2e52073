import { describe, expect, it } from 'vitest';
import type {
  BinaryColumn,
  BooleanColumn,
  DecimalColumn,
  NumericColumn,
  StringColumn,
} from './column-buffers.ts';
import { RowBuffer } from './row-buffer.ts';
import { field } from './delta-schema.ts';
import { toRecordBatch } from './arrow-batch.ts';
import * as parquet from 'parquet-wasm';
import { ParquetStreamWriter, decodeParquet, encodeParquet } from './parquet-stream.ts';

function sampleRows(): RowBuffer {
  const rows = new RowBuffer([
    field('s', 'string', true),
    field('n', 'long', false),
    field('i', 'integer', false),
    field('x', 'double', false),
    field('t', 'timestamp', true),
    field('d', 'date', false),
    field('a', 'decimal(38,2)', false),
    field('b', 'boolean', false),
    field('raw', 'binary', false),
  ]);
  const c = <T>(name: string) => rows.column(name) as T;
  const values = [
    [
      'héllo ✓ \u{1F600}',
      2 ** 40,
      -5,
      1.5,
      Date.UTC(2024, 0, 1, 0, 0, 0, 123),
      19723,
      1990n,
      true,
      [1, 2],
    ],
    [null, -1, 2147483647, -0.25, null, -1, -12345678901234567890123456789012345678n, false, []],
    ['ascii', 0, 0, 1e300, 0, 0, 0n, true, [255]],
  ] as const;
  for (const [s, n, i, x, t, d, a, b, raw] of values) {
    c<StringColumn>('s').push(s);
    c<NumericColumn>('n').push(n);
    c<NumericColumn>('i').push(i);
    c<NumericColumn>('x').push(x);
    c<NumericColumn>('t').push(t);
    c<NumericColumn>('d').push(d);
    c<DecimalColumn>('a').push(a);
    c<BooleanColumn>('b').push(b);
    c<BinaryColumn>('raw').push(new Uint8Array(raw));
  }
  return rows;
}

describe('Arrow batches → Parquet → Arrow', () => {
  it('keeps every value exactly, nulls included, with the Delta physical types', () => {
    const table = decodeParquet(encodeParquet([toRecordBatch(sampleRows())]));
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`)).toEqual([
      's:Utf8:true',
      'n:Int64:false',
      'i:Int32:false',
      'x:Float64:false',
      't:Timestamp<MICROSECOND, UTC>:true',
      'd:Date32<DAY>:false',
      'a:Decimal[38e+2]:false',
      'b:Bool:false',
      'raw:Binary:false',
    ]);
    const col = (n: string) =>
      [...table.getChild(n)!].map((v) => (v instanceof Uint8Array ? [...v] : v));
    expect(col('s')).toEqual(['héllo ✓ \u{1F600}', null, 'ascii']);
    expect(col('n')).toEqual([2n ** 40n, -1n, 0n]);
    expect(col('i')).toEqual([-5, 2147483647, 0]);
    expect(col('x')).toEqual([1.5, -0.25, 1e300]);
    expect(col('t')).toEqual([Date.UTC(2024, 0, 1, 0, 0, 0, 123), null, 0]);
    expect(col('d')).toEqual([Date.UTC(2024, 0, 1), -86_400_000, 0]);
    expect(col('b')).toEqual([true, false, true]);
    expect(col('raw')).toEqual([[1, 2], [], [255]]);
    // Decimals as 128-bit words: compare through bigint.
    const words = table.getChild('a')!.data[0]!.values as Uint32Array;
    const big = new BigInt64Array(words.buffer, words.byteOffset, 6);
    const decimals = [0, 1, 2].map(
      (k) => (BigInt(big[2 * k + 1]!) << 64n) + BigInt.asUintN(64, big[2 * k]!),
    );
    expect(decimals).toEqual([1990n, -12345678901234567890123456789012345678n, 0n]);
  });

  it('streams a file row group by row group, bytes reaching the sink before the file is closed', async () => {
    const chunks: Uint8Array[] = [];
    const writer = await ParquetStreamWriter.open(async (c) => void chunks.push(c), {
      codec: 'snappy',
      rowGroupRows: 1000,
    });
    for (let k = 0; k < 4; k++) {
      const rows = new RowBuffer([field('n', 'long', false)]);
      for (let i = 0; i < 1000; i++) rows.column<NumericColumn>('n').push(k * 1000 + i);
      await writer.write(toRecordBatch(rows));
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(chunks.length).toBeGreaterThan(0); // encoded while still open: memory stays bounded
    await writer.close();
    expect(writer.rows).toBe(4000);
    const bytes = Buffer.concat(chunks);
    expect(writer.bytes).toBe(bytes.length);
    const table = decodeParquet(bytes);
    expect(table.numRows).toBe(4000);
    expect([...table.getChild('n')!].at(-1)).toBe(3999n);
  });

  it('writes the plain columns without a dictionary, the others with one', async () => {
    const chunks: Uint8Array[] = [];
    const writer = await ParquetStreamWriter.open(
      async (c) => void chunks.push(c),
      { codec: 'zstd', rowGroupRows: 10_000 },
      ['id'],
    );
    const rows = new RowBuffer([field('id', 'string', false), field('kind', 'string', false)]);
    for (let i = 0; i < 2000; i++) {
      rows.column<StringColumn>('id').push(`id-${i}`);
      rows.column<StringColumn>('kind').push(i % 2 ? 'a' : 'b');
    }
    await writer.write(toRecordBatch(rows));
    await writer.close();
    const file = await parquet.ParquetFile.fromFile(new Blob([Buffer.concat(chunks)]));
    const group = file.metadata().rowGroup(0);
    const encodings = (i: number) => group.column(i).encodings();
    expect(encodings(0)).not.toContain(parquet.Encoding.RLE_DICTIONARY);
    expect(encodings(1)).toContain(parquet.Encoding.RLE_DICTIONARY);
    expect([...decodeParquet(Buffer.concat(chunks)).getChild('id')!].at(-1)).toBe('id-1999');
  });
});

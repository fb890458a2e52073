import { describe, expect, it } from 'vitest';
import { field } from './delta-schema.ts';
import { int64Words, toRecordBatch } from './arrow-batch.ts';
import { NumericColumn, StringColumn } from './column-buffers.ts';
import { RowBuffer } from './row-buffer.ts';

const asBigInts = (words: Int32Array) => [...new BigInt64Array(words.buffer)];

describe('int64Words', () => {
  const samples = [
    0,
    1,
    -1,
    2 ** 32 - 1,
    2 ** 32,
    -(2 ** 32),
    -(2 ** 32) - 1,
    1_700_000_000_123,
    -62_135_596_800_000, // 0001-01-01
    253_402_300_799_999, // 9999-12-31T23:59:59.999
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
  ];

  it('writes safe integers as the 64-bit values BigInt gives', () => {
    const words = int64Words(Float64Array.from(samples), samples.length, 1);
    expect(asBigInts(words)).toEqual(samples.map((v) => BigInt(v)));
  });

  it('writes epoch ms as exact epoch µs, far past 2^53', () => {
    const ms = samples.filter((v) => Math.abs(v) < 2 ** 53 / 1024);
    const words = int64Words(Float64Array.from(ms), ms.length, 1000);
    expect(asBigInts(words)).toEqual(ms.map((v) => BigInt(v) * 1000n));
  });
});

describe('toRecordBatch', () => {
  it('gives long and timestamp columns their exact values', () => {
    const rows = new RowBuffer([field('n', 'long', false), field('t', 'timestamp', false)]);
    const n = rows.column<NumericColumn>('n');
    const t = rows.column<NumericColumn>('t');
    for (const v of [-(2 ** 40) - 7, 3, 2 ** 52 + 1]) n.push(v);
    for (const v of [-1, 0, 1_700_000_000_123]) t.push(v);
    const batch = toRecordBatch(rows);
    expect([...batch.getChild('n')!]).toEqual([-(2n ** 40n) - 7n, 3n, 2n ** 52n + 1n]);
    expect([...(batch.getChild('t')!.data[0]!.values as BigInt64Array)]).toEqual([
      -1000n,
      0n,
      1_700_000_000_123_000n,
    ]);
  });

  it('folds string statistics in UTF-8 byte order as chunks are encoded', () => {
    const rows = new RowBuffer([field('s', 'string', false)]);
    const s = rows.column<StringColumn>('s');
    const chunks = [
      ['m', 'b'],
      ['\uFFFD', '\u{1F600}', 'c'],
      ['a', 'zz'],
    ];
    for (const chunk of chunks) {
      for (const v of chunk) s.push(v);
      toRecordBatch(rows);
      rows.resetChunk();
    }
    const stats = JSON.parse(rows.statsJson()) as { minValues: object; maxValues: object };
    expect(stats.minValues).toEqual({ s: 'a' });
    expect(stats.maxValues).toEqual({ s: '\u{1F600}' });
  });

  it('encodes a column of one repeated value like any other', () => {
    const rows = new RowBuffer([field('topic', 'string', false), field('u', 'string', true)]);
    for (let i = 0; i < 3; i++) {
      rows.column<StringColumn>('topic').push('clicks-é');
      rows.column<StringColumn>('u').push(null);
    }
    const batch = toRecordBatch(rows);
    expect([...batch.getChild('topic')!]).toEqual(['clicks-é', 'clicks-é', 'clicks-é']);
    expect([...batch.getChild('u')!]).toEqual([null, null, null]);
    expect(JSON.parse(rows.statsJson())).toMatchObject({
      minValues: { topic: 'clicks-é' },
      maxValues: { topic: 'clicks-é' },
    });
  });
});

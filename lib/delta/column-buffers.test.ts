import { describe, expect, it } from 'vitest';
import { field } from './delta-schema.ts';
import {
  DecimalColumn,
  NumericColumn,
  StringColumn,
  truncateCodePoints,
} from './column-buffers.ts';
import { RowBuffer } from './row-buffer.ts';

const stats = (rows: RowBuffer) =>
  JSON.parse(rows.statsJson()) as {
    numRecords: number;
    minValues: Record<string, unknown>;
    maxValues: Record<string, unknown>;
    nullCount: Record<string, number>;
  };

describe('per-file statistics', () => {
  it('records numRecords, min, max and nullCount in Delta JSON formats', () => {
    const rows = new RowBuffer([
      field('id', 'string', false),
      field('n', 'long', true),
      field('t', 'timestamp', false),
      field('d', 'date', false),
      field('amount', 'decimal(38,2)', false),
      field('ok', 'boolean', false),
      field('raw', 'binary', false),
    ]);
    const [id, n, t, d, amount, ok, raw] = rows.columns as [
      StringColumn,
      NumericColumn,
      NumericColumn,
      NumericColumn,
      DecimalColumn,
      never,
      never,
    ];
    const push = (i: string, v: number | null, time: number, day: number, cents: bigint) => {
      id.push(i);
      n.push(v);
      t.push(time);
      d.push(day);
      amount.push(cents);
      (ok as { push(v: boolean): void }).push(true);
      (raw as { push(v: Uint8Array): void }).push(new Uint8Array([1]));
    };
    push('b', 7, Date.UTC(2024, 0, 1, 10, 0, 0, 123), 19724, 1990n);
    push('a', null, Date.UTC(2024, 0, 1, 9, 0, 0, 0), 19723, 5n);
    push('c', -3, Date.UTC(2024, 0, 2, 0, 0, 0, 1), 19725, 100n);
    expect(stats(rows)).toEqual({
      numRecords: 3,
      minValues: { id: 'a', n: -3, t: '2024-01-01T09:00:00.000Z', d: '2024-01-01', amount: 0.05 },
      maxValues: { id: 'c', n: 7, t: '2024-01-02T00:00:00.001Z', d: '2024-01-03', amount: 19.9 },
      nullCount: { id: 0, n: 1, t: 0, d: 0, amount: 0, ok: 0, raw: 0 },
    });
  });

  it('orders strings by UTF-8 bytes, not UTF-16 units', () => {
    const rows = new RowBuffer([field('s', 'string', false)]);
    const s = rows.column<StringColumn>('s');
    s.push('\u{1F600}'); // astral: sorts after U+FFFD in UTF-8
    s.push('\uFFFD');
    expect(stats(rows).minValues.s).toBe('\uFFFD');
    expect(stats(rows).maxValues.s).toBe('\u{1F600}');
  });

  it('keeps UTF-8 byte order across chunks, with the surrogate only in an earlier chunk', () => {
    const rows = new RowBuffer([field('s', 'string', false)]);
    const s = rows.column<StringColumn>('s');
    s.push('\u{1F600}');
    s.push('b');
    rows.resetChunk();
    s.push('\uFFFD'); // a chunk without surrogates: still below the astral max
    s.push('a');
    expect(stats(rows).minValues.s).toBe('a');
    expect(stats(rows).maxValues.s).toBe('\u{1F600}');
  });

  it('counts rows pushed after the statistics were read', () => {
    const rows = new RowBuffer([field('s', 'string', false)]);
    const s = rows.column<StringColumn>('s');
    s.push('m');
    expect(stats(rows).maxValues.s).toBe('m');
    s.push('z');
    s.push('a');
    expect(stats(rows)).toMatchObject({ minValues: { s: 'a' }, maxValues: { s: 'z' } });
    rows.resetFile();
    s.push('q');
    expect(stats(rows)).toMatchObject({ minValues: { s: 'q' }, maxValues: { s: 'q' } });
  });

  it('keeps a prefix as min and no max for long strings', () => {
    const rows = new RowBuffer([field('ua', 'string', false)]);
    rows.column<StringColumn>('ua').push('x'.repeat(40));
    expect(stats(rows).minValues.ua).toBe('x'.repeat(32));
    expect(stats(rows).maxValues).not.toHaveProperty('ua');
  });

  it('leaves out decimal bounds a double cannot print exactly', () => {
    const rows = new RowBuffer([field('a', 'decimal(38,2)', false)]);
    const a = rows.column<DecimalColumn>('a');
    a.push(1n);
    a.push(10n ** 30n);
    expect(stats(rows).minValues.a).toBe(0.01);
    expect(stats(rows).maxValues).not.toHaveProperty('a');
  });

  it('keeps file statistics across chunks and clears them for a new file', () => {
    const rows = new RowBuffer([field('n', 'long', false)]);
    const n = rows.column<NumericColumn>('n');
    n.push(5);
    rows.resetChunk();
    n.push(9);
    expect(rows.length).toBe(1);
    expect(stats(rows)).toMatchObject({ numRecords: 2, minValues: { n: 5 }, maxValues: { n: 9 } });
    rows.resetFile();
    n.push(1);
    expect(stats(rows)).toMatchObject({ numRecords: 1, minValues: { n: 1 }, maxValues: { n: 1 } });
  });

  it('refuses a null in a non-null column and an out-of-range integer', () => {
    const rows = new RowBuffer([
      field('s', 'string', false),
      field('i', 'integer', false),
      field('a', 'decimal(4,2)', false),
    ]);
    expect(() => rows.column<StringColumn>('s').push(null)).toThrow(/not nullable/);
    expect(() => rows.column<NumericColumn>('i').push(2 ** 31)).toThrow(/out of range/);
    expect(() => rows.column<DecimalColumn>('a').push(10_000n)).toThrow(/does not fit/);
  });

  it('detects rows appended to only some columns', () => {
    const rows = new RowBuffer([field('a', 'long', false), field('b', 'long', false)]);
    rows.column<NumericColumn>('a').push(1);
    expect(() => rows.assertAligned()).toThrow(/column "b" has 0 rows, expected 1/);
  });
});

describe('helpers', () => {
  it('truncateCodePoints never splits a surrogate pair', () => {
    expect(truncateCodePoints('ab\u{1F600}c', 3)).toBe('ab\u{1F600}');
    expect(truncateCodePoints('abc', 5)).toBe('abc');
  });
});

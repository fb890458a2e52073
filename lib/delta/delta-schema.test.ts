import { describe, expect, it } from 'vitest';
import {
  SchemaMismatchError,
  decimalOf,
  field,
  isPrimitiveType,
  parseSchemaString,
  reconcileSchema,
  schemaToString,
  struct,
} from './delta-schema.ts';

const table = struct([
  field('id', 'string', false),
  field('n', 'long', true),
  field('d', 'date', false),
]);

describe('schema strings', () => {
  it('round-trips through the schemaString JSON Spark writes', () => {
    const text = schemaToString(table);
    expect(JSON.parse(text)).toEqual({
      type: 'struct',
      fields: [
        { name: 'id', type: 'string', nullable: false, metadata: {} },
        { name: 'n', type: 'long', nullable: true, metadata: {} },
        { name: 'd', type: 'date', nullable: false, metadata: {} },
      ],
    });
    expect(parseSchemaString(text)).toEqual(table);
  });

  it('refuses nested types with a message naming the column', () => {
    const text = JSON.stringify({
      type: 'struct',
      fields: [
        {
          name: 'tags',
          type: { type: 'array', elementType: 'string', containsNull: true },
          nullable: true,
        },
      ],
    });
    expect(() => parseSchemaString(text)).toThrow(/column "tags"/);
  });

  it.each([
    ['decimal(38,2)', { precision: 38, scale: 2 }],
    ['decimal(14, 2)', { precision: 14, scale: 2 }],
    ['double', undefined],
  ])('decimalOf(%s)', (type, expected) => expect(decimalOf(type)).toEqual(expected));

  it.each([
    ['decimal(39,2)', false],
    ['decimal(2,3)', false],
    ['timestamp', true],
    ['timestamp_ntz', false],
  ])('isPrimitiveType(%s) = %s', (type, expected) => expect(isPrimitiveType(type)).toBe(expected));
});

describe('reconcileSchema (enforcement and evolution)', () => {
  const parts = ['d'];
  it('accepts the same schema unchanged', () => {
    expect(reconcileSchema(table, parts, table, parts)).toEqual({
      ok: true,
      schema: table,
      addedColumns: [],
    });
  });

  it('appends a new nullable column', () => {
    const batch = struct([...table.fields, field('extra', 'string', true)]);
    const check = reconcileSchema(table, parts, batch, parts);
    expect(check).toMatchObject({ ok: true, addedColumns: ['extra'] });
    if (check.ok) expect(check.schema.fields.map((f) => f.name)).toEqual(['id', 'n', 'd', 'extra']);
  });

  it('accepts a batch without a nullable column (read as null)', () => {
    const batch = struct([field('id', 'string', false), field('d', 'date', false)]);
    expect(reconcileSchema(table, parts, batch, parts).ok).toBe(true);
  });

  it.each([
    [
      'a type change',
      struct([field('id', 'long', false), field('n', 'long', true), field('d', 'date', false)]),
      /"id" is string in the table but long/,
    ],
    [
      'a nullable batch column where the table says not null',
      struct([field('id', 'string', true), field('n', 'long', true), field('d', 'date', false)]),
      /not null in the table but nullable/,
    ],
    [
      'a missing non-null column',
      struct([field('n', 'long', true), field('d', 'date', false)]),
      /"id" \(string, not null\) is missing/,
    ],
    [
      'a new non-null column',
      struct([...table.fields, field('x', 'long', false)]),
      /new column "x" \(long\) must be nullable/,
    ],
    [
      'a case-only rename',
      struct([field('ID', 'string', false), field('n', 'long', true), field('d', 'date', false)]),
      /only by case/,
    ],
  ])('refuses %s', (_name, batch, problem) => {
    const check = reconcileSchema(table, parts, batch, parts);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problems.join('\n')).toMatch(problem);
  });

  it('refuses a change of partition columns', () => {
    const check = reconcileSchema(table, ['d'], table, []);
    expect(check.ok).toBe(false);
  });

  it('SchemaMismatchError names the table and every problem', () => {
    const error = new SchemaMismatchError('clicks', ['a', 'b']);
    expect(error.message).toContain('"clicks"');
    expect(error.message).toContain('  - a\n  - b');
  });
});

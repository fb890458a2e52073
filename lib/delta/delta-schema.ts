// Delta table schemas (the `schemaString` of a metaData action) for flat tables of primitive
// columns, and schema enforcement: a batch may add nullable columns, nothing else may change.
import { compareBytes } from '../domain/byte-order.ts';

export type DecimalType = `decimal(${number},${number})`;
export type PrimitiveType =
  | 'string'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'float'
  | 'double'
  | 'boolean'
  | 'binary'
  | 'date'
  | 'timestamp'
  | DecimalType;

export interface DeltaField {
  name: string;
  type: PrimitiveType;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

export interface DeltaSchema {
  type: 'struct';
  fields: DeltaField[];
}

/** What a writer knows of a table before it exists: enough for its first metaData action. */
export interface TableDefinition {
  name: string;
  description: string;
  schema: DeltaSchema;
  partitionColumns: string[];
  /**
   * Columns whose values are (nearly) all distinct: ids, offsets, times. Written without a
   * Parquet dictionary, which for them only costs encode time and bytes (arrow-rs builds one,
   * then falls back to plain page by page).
   */
  plainColumns?: string[];
}

const SIMPLE_TYPES = new Set<string>([
  'string',
  'long',
  'integer',
  'short',
  'byte',
  'float',
  'double',
  'boolean',
  'binary',
  'date',
  'timestamp',
]);
const DECIMAL = /^decimal\((\d+),\s*(\d+)\)$/;

/** Precision and scale of a decimal type, or undefined for any other type. */
export function decimalOf(type: string): { precision: number; scale: number } | undefined {
  const m = DECIMAL.exec(type);
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
}

export function isPrimitiveType(type: unknown): type is PrimitiveType {
  if (typeof type !== 'string') return false;
  if (SIMPLE_TYPES.has(type)) return true;
  const d = decimalOf(type);
  return d !== undefined && d.precision >= 1 && d.precision <= 38 && d.scale <= d.precision;
}

/** A field with empty metadata, the way Spark writes it. */
export const field = (name: string, type: PrimitiveType, nullable: boolean): DeltaField => ({
  name,
  type,
  nullable,
  metadata: {},
});

export const struct = (fields: DeltaField[]): DeltaSchema => ({ type: 'struct', fields });

export function schemaToString(schema: DeltaSchema): string {
  return JSON.stringify(schema);
}

/** Parses a schemaString. Only flat schemas of primitive columns are supported by this writer. */
export function parseSchemaString(text: string): DeltaSchema {
  const value = JSON.parse(text) as { type?: unknown; fields?: unknown };
  if (value.type !== 'struct' || !Array.isArray(value.fields)) {
    throw new Error('schemaString is not a struct type');
  }
  const fields = value.fields.map((f: unknown, i: number): DeltaField => {
    const { name, type, nullable, metadata } = (f ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string') throw new Error(`schema field ${i} has no name`);
    if (!isPrimitiveType(type)) {
      throw new Error(
        `column "${name}" has type ${JSON.stringify(type)}: this writer supports flat tables of primitive columns only`,
      );
    }
    return {
      name,
      type,
      nullable: nullable !== false,
      metadata: (metadata as Record<string, unknown> | undefined) ?? {},
    };
  });
  return struct(fields);
}

export type SchemaCheck =
  { ok: true; schema: DeltaSchema; addedColumns: string[] } | { ok: false; problems: string[] };

/**
 * Schema enforcement with additive evolution. `table` is the table's schema, `batch` the schema
 * of the rows being written. Allowed: the batch omits a nullable column (read as null), or adds a
 * nullable column (appended to the table schema). Refused: a type change, a nullable batch column
 * where the table says non-null, a missing non-null column, a new non-null column, a name that
 * differs only by case, and a change of partition columns.
 */
export function reconcileSchema(
  table: DeltaSchema,
  tablePartitionColumns: string[],
  batch: DeltaSchema,
  batchPartitionColumns: string[],
): SchemaCheck {
  const problems: string[] = [];
  if (tablePartitionColumns.join('\u0000') !== batchPartitionColumns.join('\u0000')) {
    problems.push(
      `partition columns differ: table [${tablePartitionColumns.join(', ')}], batch [${batchPartitionColumns.join(', ')}]`,
    );
  }
  const tableByLower = new Map(table.fields.map((f) => [f.name.toLowerCase(), f]));
  const batchByLower = new Map(batch.fields.map((f) => [f.name.toLowerCase(), f]));
  for (const t of table.fields) {
    const b = batchByLower.get(t.name.toLowerCase());
    if (!b) {
      if (!t.nullable)
        problems.push(`column "${t.name}" (${t.type}, not null) is missing from the batch`);
      continue;
    }
    if (b.name !== t.name)
      problems.push(`column "${b.name}" differs from table column "${t.name}" only by case`);
    if (b.type !== t.type)
      problems.push(`column "${t.name}" is ${t.type} in the table but ${b.type} in the batch`);
    if (b.nullable && !t.nullable) {
      problems.push(`column "${t.name}" is not null in the table but nullable in the batch`);
    }
  }
  const added: DeltaField[] = [];
  for (const b of batch.fields) {
    if (tableByLower.has(b.name.toLowerCase())) continue;
    if (!b.nullable) {
      problems.push(
        `new column "${b.name}" (${b.type}) must be nullable to be added to an existing table`,
      );
      continue;
    }
    added.push(b);
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    schema: added.length > 0 ? struct([...table.fields, ...added]) : table,
    addedColumns: added.map((f) => f.name),
  };
}

/** Thrown when a batch does not fit the table: names the table and every problem. */
export class SchemaMismatchError extends Error {
  constructor(
    readonly table: string,
    readonly problems: string[],
  ) {
    super(
      `schema mismatch for Delta table "${table}": refusing to write.\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'SchemaMismatchError';
  }
}

/** Columns sorted the way Delta requires uniqueness: case-insensitively (used for diagnostics). */
export function duplicateColumnNames(schema: DeltaSchema): string[] {
  const seen = new Map<string, number>();
  for (const f of schema.fields)
    seen.set(f.name.toLowerCase(), (seen.get(f.name.toLowerCase()) ?? 0) + 1);
  return [...seen.entries()]
    .filter(([, n]) => n > 1)
    .map(([name]) => name)
    .sort(compareBytes);
}

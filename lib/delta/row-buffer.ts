// The columns of one data file (the table schema minus its partition columns) and the `stats` of
// its add action. Pure. Rows are appended column by column (table-writer.ts's appenders), handed
// to the encoder a chunk at a time (arrow-batch.ts), and counted in the statistics until the file
// is finished.
import { createColumn, type Column } from './column-buffers.ts';
import type { DeltaField, DeltaSchema } from './delta-schema.ts';

/** The columns of one data file: the table schema minus its partition columns, in schema order. */
export class RowBuffer {
  readonly columns: Column[];
  readonly byName: Map<string, Column>;

  constructor(readonly dataFields: DeltaField[]) {
    this.columns = dataFields.map(createColumn);
    this.byName = new Map(this.columns.map((c) => [c.field.name, c]));
  }

  static forSchema(schema: DeltaSchema, partitionColumns: string[]): RowBuffer {
    return new RowBuffer(schema.fields.filter((f) => !partitionColumns.includes(f.name)));
  }

  column<C extends Column = Column>(name: string): C {
    const c = this.byName.get(name);
    if (!c) throw new Error(`no column "${name}"`);
    return c as C;
  }

  /** Rows in the current chunk. */
  get length(): number {
    return this.columns[0]?.length ?? 0;
  }

  get fileRows(): number {
    return this.columns[0]?.fileRows ?? 0;
  }

  estimatedBytes(): number {
    let total = 0;
    for (const c of this.columns) total += c.estimatedBytes();
    return total;
  }

  /** Throws if the columns disagree on row count: a row was appended to only some columns. */
  assertAligned(): void {
    const n = this.length;
    for (const c of this.columns) {
      if (c.length !== n)
        throw new Error(`column "${c.field.name}" has ${c.length} rows, expected ${n}`);
    }
  }

  resetChunk(): void {
    for (const c of this.columns) c.resetChunk();
  }

  resetFile(): void {
    for (const c of this.columns) c.resetFile();
  }

  /** The `stats` JSON of an add action for every row since the file began. */
  statsJson(): string {
    const minValues: Record<string, unknown> = {};
    const maxValues: Record<string, unknown> = {};
    const nullCount: Record<string, number> = {};
    for (const c of this.columns) {
      nullCount[c.field.name] = c.fileNullCount;
      const bounds = c.statsBounds();
      if (bounds?.min !== undefined) minValues[c.field.name] = bounds.min;
      if (bounds?.max !== undefined) maxValues[c.field.name] = bounds.max;
    }
    return JSON.stringify({ numRecords: this.fileRows, minValues, maxValues, nullCount });
  }
}

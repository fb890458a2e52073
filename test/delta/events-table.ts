// A test table for lib/delta's tests, none of the product's: `events` (id, payload, a nullable
// note) partitioned by day, with the appender, a file writer and an append commit that records
// the next id as the txn version of `appId`. Not a test file.
import type { BinaryColumn, NumericColumn, StringColumn } from '../../lib/delta/column-buffers.ts';
import { field, struct, type TableDefinition } from '../../lib/delta/delta-schema.ts';
import type { DeltaSnapshot } from '../../lib/delta/delta-snapshot.ts';
import type { CommitResult, DeltaTable } from '../../lib/delta/delta-table.ts';
import { epochDay, isoDate } from '../../lib/delta/delta-values.ts';
import type { RowBuffer } from '../../lib/delta/row-buffer.ts';
import { commitAppend, planSchema, type WriterIdentity } from '../../lib/delta/table-commit.ts';
import { PartitionedTableWriter, type WrittenFile } from '../../lib/delta/table-writer.ts';

export const eventsTable: TableDefinition = {
  name: 'events',
  description: 'Test events, partitioned by day.',
  partitionColumns: ['event_date'],
  schema: struct([
    field('id', 'long', false),
    field('payload', 'binary', false),
    field('note', 'string', true),
    field('event_date', 'date', false),
  ]),
};

export const testWriter: WriterIdentity = {
  engineInfo: 'delta-table-test/1.0',
  queryId: 'delta-table-test',
};

export interface EventRow {
  id: number;
  time: number;
  payload: Uint8Array;
  note: string | null;
}

export const eventRows = {
  appender: (rows: RowBuffer) => {
    const id = rows.column<NumericColumn>('id');
    const payload = rows.column<BinaryColumn>('payload');
    const note = rows.column<StringColumn>('note');
    return (r: EventRow) => {
      id.push(r.id);
      payload.push(r.payload);
      note.push(r.note);
    };
  },
  partitionKey: (r: EventRow) => epochDay(r.time),
  partitionValues: (day: number) => ({ event_date: isoDate(day * 86_400_000) }),
};

/** Writes events `first` .. `first + count - 1` (over two days) into data files, uncommitted. */
export async function writeEvents(
  table: DeltaTable,
  first: number,
  count: number,
): Promise<WrittenFile[]> {
  const files = new PartitionedTableWriter<EventRow, number>(eventsTable, table.store, eventRows);
  const rows: EventRow[] = Array.from({ length: count }, (_, i) => ({
    id: first + i,
    time: Date.UTC(2026, 0, 1 + ((first + i) % 2)),
    payload: new Uint8Array([i % 256]),
    note: i % 3 === 0 ? null : `note ${i}`,
  }));
  await files.appendAll(rows);
  return files.finish();
}

/** Writes and appends events on `base`, with txn `appId` = the next id. */
export async function appendEvents(
  table: DeltaTable,
  base: DeltaSnapshot,
  first: number,
  count: number,
  appId = 'app',
): Promise<CommitResult> {
  return commitAppend({
    table,
    def: eventsTable,
    writer: testWriter,
    base,
    schema: planSchema(eventsTable, base),
    files: await writeEvents(table, first, count),
    txns: new Map([[appId, first + count]]),
    runId: `run-${first}`,
    now: Date.now(),
  });
}

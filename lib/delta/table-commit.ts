// A writer's commit to one table: schema enforcement against the table, the actions (table
// creation, schema evolution, adds or a full replace, txn versions, commitInfo) and the guard that
// decides whether a lost race may be retried on the next version. The txn versions of an append
// are the writer's own progress (kafka-delta-ingest stores offsets this way): in the same commit as
// the data, so a table never holds rows without the progress that produced them, or the reverse.
import { randomUUID } from 'node:crypto';
import type { Action, CommitInfoAction, LogAction } from './delta-log.ts';
import {
  SchemaMismatchError,
  duplicateColumnNames,
  reconcileSchema,
  schemaToString,
  type DeltaSchema,
  type TableDefinition,
} from './delta-schema.ts';
import { assertWritable, snapshotSchema, type DeltaSnapshot } from './delta-snapshot.ts';
import type { CommitGuard, CommitResult, DeltaTable } from './delta-table.ts';
import type { WrittenFile } from './table-writer.ts';

/** Who writes: recorded in every commitInfo (`engineInfo`, and `queryId` of a streaming append). */
export interface WriterIdentity {
  /** `name/version`, e.g. `clickstream-lake-export/0.1.0`. */
  engineInfo: string;
  /** The streaming query's id (Spark's `queryId`): the same for every run of one writer. */
  queryId: string;
}

export interface SchemaPlan {
  /** The table schema after this commit. */
  schema: DeltaSchema;
  /** A metaData action is needed: the table is new or gains columns. */
  changesMetadata: boolean;
  addedColumns: string[];
}

/** Schema enforcement: throws SchemaMismatchError unless `def` fits the table (or the table is new). */
export function planSchema(def: TableDefinition, snapshot: DeltaSnapshot): SchemaPlan {
  assertWritable(snapshot, def.name);
  const duplicates = duplicateColumnNames(def.schema);
  if (duplicates.length > 0)
    throw new SchemaMismatchError(def.name, [`duplicate columns: ${duplicates.join(', ')}`]);
  const current = snapshotSchema(snapshot);
  if (!current || !snapshot.metadata)
    return { schema: def.schema, changesMetadata: true, addedColumns: [] };
  const check = reconcileSchema(
    current,
    snapshot.metadata.partitionColumns,
    def.schema,
    def.partitionColumns,
  );
  if (!check.ok) throw new SchemaMismatchError(def.name, check.problems);
  return {
    schema: check.schema,
    changesMetadata: check.addedColumns.length > 0,
    addedColumns: check.addedColumns,
  };
}

function metadataActions(
  def: TableDefinition,
  snapshot: DeltaSnapshot,
  plan: SchemaPlan,
  now: number,
): Action[] {
  if (!plan.changesMetadata) return [];
  const base = snapshot.metadata;
  const metaData = {
    id: base?.id ?? randomUUID(),
    name: base?.name ?? def.name,
    description: base?.description ?? def.description,
    format: base?.format ?? { provider: 'parquet', options: {} },
    schemaString: schemaToString(plan.schema),
    partitionColumns: base?.partitionColumns ?? def.partitionColumns,
    createdTime: base?.createdTime ?? now,
    configuration: base?.configuration ?? { 'delta.checkpointInterval': '10' },
  };
  const out: Action[] = [];
  if (!snapshot.protocol) out.push({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
  out.push({ metaData });
  return out;
}

function metrics(files: WrittenFile[], removed = 0): Record<string, string> {
  return {
    numFiles: String(files.length),
    numOutputRows: String(files.reduce((n, f) => n + f.rows, 0)),
    numOutputBytes: String(files.reduce((n, f) => n + f.add.size, 0)),
    ...(removed > 0 ? { numRemovedFiles: String(removed) } : {}),
  };
}

/** A winner changed the table's protocol or metadata: our schema decision is stale. */
function metadataChanged(base: DeltaSnapshot, winners: LogAction[]): string | undefined {
  if (base.version < 0) return 'the table was created concurrently';
  if (winners.some((a) => 'metaData' in a || 'protocol' in a)) return 'the table metadata changed';
  return undefined;
}

export interface AppendCommit {
  table: DeltaTable;
  def: TableDefinition;
  writer: WriterIdentity;
  base: DeltaSnapshot;
  schema: SchemaPlan;
  files: WrittenFile[];
  /** appId → the writer's version after this commit (e.g. the next source offset to read). */
  txns: Map<string, number>;
  runId: string;
  now: number;
}

/**
 * Appends files with the new txn versions. After a lost race it retries only if no winner moved
 * any of the same appIds: otherwise these rows may already be in the table.
 */
export async function commitAppend(c: AppendCommit): Promise<CommitResult> {
  const commitInfo: CommitInfoAction = {
    timestamp: c.now,
    operation: 'STREAMING UPDATE',
    operationParameters: {
      outputMode: 'Append',
      queryId: c.writer.queryId,
      epochId: c.runId,
    },
    operationMetrics: metrics(c.files),
    isBlindAppend: true,
    engineInfo: c.writer.engineInfo,
  };
  const actions: Action[] = [
    { commitInfo },
    ...metadataActions(c.def, c.base, c.schema, c.now),
    ...c.files.map((f) => ({ add: f.add })),
    ...[...c.txns].map(([appId, version]) => ({ txn: { appId, version, lastUpdated: c.now } })),
  ];
  const guard: CommitGuard = (latest, winners) => {
    const changed = metadataChanged(c.base, winners);
    if (changed) return changed;
    for (const appId of c.txns.keys()) {
      const before = c.base.txns.get(appId)?.version;
      const now = latest.txns.get(appId)?.version;
      if (before !== now)
        return `it moved ${appId} from ${before ?? 'none'} to ${now ?? 'none'}, so it holds rows of this run`;
    }
    return undefined;
  };
  return c.table.commit(c.base, actions, guard);
}

export interface ReplaceCommit {
  table: DeltaTable;
  def: TableDefinition;
  writer: WriterIdentity;
  base: DeltaSnapshot;
  schema: SchemaPlan;
  files: WrittenFile[];
  runId: string;
  now: number;
}

/** Replaces the whole table content. After a lost race it gives up if the winner changed data. */
export async function commitReplace(c: ReplaceCommit): Promise<CommitResult> {
  const removes = [...c.base.files.values()];
  const commitInfo: CommitInfoAction = {
    timestamp: c.now,
    operation: 'WRITE',
    operationParameters: { mode: 'Overwrite', partitionBy: JSON.stringify(c.def.partitionColumns) },
    operationMetrics: metrics(c.files, removes.length),
    isBlindAppend: false,
    engineInfo: c.writer.engineInfo,
    txnId: c.runId,
  };
  const actions: Action[] = [
    { commitInfo },
    ...metadataActions(c.def, c.base, c.schema, c.now),
    ...removes.map((r) => ({
      remove: {
        path: r.path,
        deletionTimestamp: c.now,
        dataChange: true,
        extendedFileMetadata: true,
        partitionValues: r.partitionValues,
        size: r.size,
      },
    })),
    ...c.files.map((f) => ({ add: f.add })),
  ];
  const guard: CommitGuard = (_latest, winners) =>
    metadataChanged(c.base, winners) ??
    (winners.some((a) => 'add' in a || 'remove' in a)
      ? 'it replaced the data this run was based on'
      : undefined);
  return c.table.commit(c.base, actions, guard);
}

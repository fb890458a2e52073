// The last steps of a lake export: one append commit per topic table, each with its data files
// and its new offsets (txn actions) in the same commit (an empty commit is never made), then the
// reference tables: the users' history (replaced when it changed) and the speed layer's rows
// (replaced each run, so the models can compare the two layers).
import type pg from 'pg';
import type { CommitResult } from '../../lib/delta/delta-table.ts';
import type { TableWriterOptions, WrittenFile } from '../../lib/delta/table-writer.ts';
import type { TableOutcome } from '../../lib/jobs/lake-export-contract.ts';
import {
  LAKE_TABLES,
  speedAttributedCheckoutsTable,
  usersTable,
  type LakeTableName,
} from '../../lib/lake/lake-tables.ts';
import { txnVersionsAfterRun } from '../../lib/lake/read-plan.ts';
import type { ExportPlan, OpenedTables } from './export-plan.ts';
import { writeSpeedSnapshot, writeUsers } from './reference-export.ts';
import { commitAppend, commitReplace } from './table-commit.ts';

export const TOPIC_TABLES = ['clicks', 'checkouts', 'dead_letters'] as const;

export const emptyOutcome = (): TableOutcome => ({
  version: null,
  rowsAdded: 0,
  filesAdded: 0,
  bytesAdded: 0,
  filesRemoved: 0,
});

function outcomeOf(
  result: CommitResult | undefined,
  files: WrittenFile[],
  removed = 0,
): TableOutcome {
  return {
    version: result?.version ?? null,
    rowsAdded: result ? files.reduce((n, f) => n + f.rows, 0) : 0,
    filesAdded: result ? files.length : 0,
    bytesAdded: result ? files.reduce((n, f) => n + f.add.size, 0) : 0,
    filesRemoved: result ? removed : 0,
  };
}

export interface CommitContext {
  opened: OpenedTables;
  runId: string;
  /** The commits' timestamp: one for the whole run. */
  now: number;
  warnings: string[];
  log: (line: string) => void;
  /** Called with each table's outcome as soon as it is committed. */
  committed: (name: LakeTableName, outcome: TableOutcome) => void;
}

/** Commits each topic table's files with its offsets after this run. */
export async function commitTopicTables(
  c: CommitContext,
  planned: ExportPlan,
  files: Record<(typeof TOPIC_TABLES)[number], WrittenFile[]>,
): Promise<void> {
  const { tables, snapshots, schemas } = c.opened;
  for (const [i, name] of TOPIC_TABLES.entries()) {
    const txns = txnVersionsAfterRun(planned.plan, planned.fed[i]!);
    const tableFiles = files[name];
    if (
      tableFiles.length === 0 &&
      txns.size === 0 &&
      snapshots[name].version >= 0 &&
      !schemas[name].changesMetadata
    ) {
      continue; // nothing new: no empty commit
    }
    const def = LAKE_TABLES.find((t) => t.name === name)!;
    const result = await commitAppend({
      table: tables[name],
      def,
      base: snapshots[name],
      schema: schemas[name],
      files: tableFiles,
      txns,
      runId: c.runId,
      now: c.now,
    });
    c.warnings.push(...result.warnings);
    const outcome = outcomeOf(result, tableFiles);
    c.committed(name, outcome);
    c.log(
      `committed ${name} version ${result.version}: ${outcome.rowsAdded} rows in ${tableFiles.length} file(s)`,
    );
  }
}

/** Replaces the users' history when it changed, and the speed layer's rows. */
export async function commitReferenceTables(
  c: CommitContext,
  pool: pg.Pool,
  writerOptions: Partial<TableWriterOptions>,
): Promise<void> {
  const { tables, snapshots, schemas } = c.opened;
  const users = await writeUsers(pool, tables.users, snapshots.users, c.now, writerOptions);
  if (users.changed) {
    const result = await commitReplace({
      table: tables.users,
      def: usersTable,
      base: snapshots.users,
      schema: schemas.users,
      files: users.files,
      runId: c.runId,
      now: c.now,
    });
    c.warnings.push(...result.warnings);
    c.committed('users', outcomeOf(result, users.files, snapshots.users.files.size));
    c.log(
      `committed users version ${result.version}: ${users.opened} opened, ${users.closed} closed`,
    );
  }
  const speed = await writeSpeedSnapshot(pool, tables.speed_attributed_checkouts, writerOptions);
  const speedBase = snapshots.speed_attributed_checkouts;
  // Replacing an empty snapshot with an empty one would only add a version.
  if (speed.files.length > 0 || speedBase.files.size > 0 || speedBase.version < 0) {
    const result = await commitReplace({
      table: tables.speed_attributed_checkouts,
      def: speedAttributedCheckoutsTable,
      base: speedBase,
      schema: schemas.speed_attributed_checkouts,
      files: speed.files,
      runId: c.runId,
      now: c.now,
    });
    c.warnings.push(...result.warnings);
    const outcome = outcomeOf(result, speed.files, speedBase.files.size);
    c.committed('speed_attributed_checkouts', outcome);
    c.log(
      `committed speed_attributed_checkouts version ${result.version}: ${outcome.rowsAdded} rows`,
    );
  }
}

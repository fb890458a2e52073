// Read-only views of one Delta table: its current state (version, rows, files, bytes, partitions),
// its history (version, time, operation, rows and files added or removed) and its row count as of
// any version (time travel). Row counts come from the add actions' `numRecords` statistics: no
// data file is read.
import { snapshotRowCount } from './delta-snapshot.ts';
import type { DeltaTable } from './delta-table.ts';

export interface TableState {
  exists: boolean;
  version: number | null;
  /** Null when a file has no statistics. */
  rows: number | null;
  files: number;
  bytes: number;
  partitionColumns: string[];
  partitions: Record<string, string | null>[];
  /** Absolute URI of the table root. */
  location: string;
  schemaString: string | null;
}

export interface HistoryEntry {
  version: number;
  /** Epoch ms of the commit. */
  timestamp: number | null;
  operation: string | null;
  rowsAdded: number;
  filesAdded: number;
  filesRemoved: number;
}

/** The table's latest state; `partitionColumns` is what to report while the table does not exist. */
export async function tableState(
  table: DeltaTable,
  partitionColumns: string[] = [],
): Promise<TableState> {
  const s = await table.loadSnapshot();
  const columns = s.metadata?.partitionColumns ?? partitionColumns;
  const seen = new Map<string, Record<string, string | null>>();
  let bytes = 0;
  for (const add of s.files.values()) {
    bytes += add.size;
    seen.set(
      JSON.stringify(columns.map((c) => add.partitionValues[c] ?? null)),
      add.partitionValues,
    );
  }
  return {
    exists: s.version >= 0,
    version: s.version >= 0 ? s.version : null,
    rows: s.version >= 0 ? (snapshotRowCount(s) ?? null) : null,
    files: s.files.size,
    bytes,
    partitionColumns: columns,
    partitions: [...seen.values()].sort((a, b) =>
      JSON.stringify(a).localeCompare(JSON.stringify(b)),
    ),
    location: table.uri,
    schemaString: s.metadata?.schemaString ?? null,
  };
}

/** Every version still in the log, newest first. */
export async function tableHistory(table: DeltaTable): Promise<HistoryEntry[]> {
  const history = await table.history();
  return history
    .map(({ version, commitInfo, actions }) => {
      const adds = actions.filter((a) => 'add' in a);
      const statsRows = adds.reduce((n, a) => {
        const stats =
          'add' in a && a.add.stats ? (JSON.parse(a.add.stats) as { numRecords?: number }) : {};
        return n + (stats.numRecords ?? 0);
      }, 0);
      return {
        version,
        timestamp: commitInfo?.timestamp ?? null,
        operation: commitInfo?.operation ?? null,
        rowsAdded: statsRows,
        filesAdded: adds.length,
        filesRemoved: actions.filter((a) => 'remove' in a).length,
      };
    })
    .reverse();
}

/** Row count and live files as of `version` (time travel). */
export async function rowCountAt(
  table: DeltaTable,
  version: number,
): Promise<{ version: number; rows: number | null; files: number }> {
  const s = await table.loadSnapshot(version);
  return { version: s.version, rows: snapshotRowCount(s) ?? null, files: s.files.size };
}

// Read-only views of the lake for the admin page and `lake:ddl`: each table's current version,
// size and partitions, its Delta history (version, time, operation, rows added), and row counts
// as of any version (from the add actions' numRecords stats: no data file is read).
import { snapshotRowCount } from '../delta/delta-snapshot.ts';
import { LAKE_TABLES, lakeTable, type LakeTableName } from './lake-tables.ts';
import { DeltaTable } from '../delta/delta-table.ts';
import { subStore, type ObjectStore } from '../delta/object-store.ts';
import { openObjectStore } from '../delta/open-store.ts';

export interface TableSummary {
  table: LakeTableName;
  exists: boolean;
  version: number | null;
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

const storeOf = (lake: string | ObjectStore) =>
  typeof lake === 'string' ? openObjectStore(lake) : lake;

export function deltaTableOf(lake: string | ObjectStore, name: LakeTableName): DeltaTable {
  lakeTable(name); // throws for an unknown name
  return new DeltaTable(name, subStore(storeOf(lake), name));
}

/** Current version, row count, files and partitions of every lake table. */
export async function lakeSummary(lake: string | ObjectStore): Promise<TableSummary[]> {
  const store = storeOf(lake);
  const out: TableSummary[] = [];
  for (const def of LAKE_TABLES) {
    const table = deltaTableOf(store, def.name);
    const s = await table.loadSnapshot();
    const partitionColumns = s.metadata?.partitionColumns ?? def.partitionColumns;
    const seen = new Map<string, Record<string, string | null>>();
    let bytes = 0;
    for (const add of s.files.values()) {
      bytes += add.size;
      seen.set(
        JSON.stringify(partitionColumns.map((c) => add.partitionValues[c] ?? null)),
        add.partitionValues,
      );
    }
    out.push({
      table: def.name,
      exists: s.version >= 0,
      version: s.version >= 0 ? s.version : null,
      rows: s.version >= 0 ? (snapshotRowCount(s) ?? null) : null,
      files: s.files.size,
      bytes,
      partitionColumns,
      partitions: [...seen.values()].sort((a, b) =>
        JSON.stringify(a).localeCompare(JSON.stringify(b)),
      ),
      location: table.uri,
      schemaString: s.metadata?.schemaString ?? null,
    });
  }
  return out;
}

/** The Delta history of one table, newest first. */
export async function lakeTableHistory(
  lake: string | ObjectStore,
  name: LakeTableName,
): Promise<HistoryEntry[]> {
  const history = await deltaTableOf(lake, name).history();
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

/** Row count of a table as of `version` (time travel), from file statistics. */
export async function lakeRowCountAt(
  lake: string | ObjectStore,
  name: LakeTableName,
  version: number,
): Promise<{ version: number; rows: number | null; files: number }> {
  const s = await deltaTableOf(lake, name).loadSnapshot(version);
  return { version: s.version, rows: snapshotRowCount(s) ?? null, files: s.files.size };
}

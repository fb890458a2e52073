// Read-only views of the lake for the admin page and `lake:ddl`: each lake table's current
// version, size and partitions, its Delta history, and row counts as of any version. The views of
// one table are lib/delta's (table-history.ts); this names the lake's tables and opens LAKE_URI.
import { DeltaTable } from '../delta/delta-table.ts';
import { subStore, type ObjectStore } from '../delta/object-store.ts';
import { openObjectStore } from '../delta/open-store.ts';
import {
  rowCountAt,
  tableHistory,
  tableState,
  type HistoryEntry,
  type TableState,
} from '../delta/table-history.ts';
import { LAKE_TABLES, lakeTable, type LakeTableName } from './lake-tables.ts';

export type { HistoryEntry } from '../delta/table-history.ts';

export interface TableSummary extends TableState {
  table: LakeTableName;
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
    const state = await tableState(deltaTableOf(store, def.name), def.partitionColumns);
    out.push({ table: def.name, ...state });
  }
  return out;
}

/** The Delta history of one table, newest first. */
export function lakeTableHistory(
  lake: string | ObjectStore,
  name: LakeTableName,
): Promise<HistoryEntry[]> {
  return tableHistory(deltaTableOf(lake, name));
}

/** Row count of a table as of `version` (time travel), from file statistics. */
export function lakeRowCountAt(
  lake: string | ObjectStore,
  name: LakeTableName,
  version: number,
): Promise<{ version: number; rows: number | null; files: number }> {
  return rowCountAt(deltaTableOf(lake, name), version);
}

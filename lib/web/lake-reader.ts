// The lake as the admin page shows it: each table's current version and its Delta history, read
// from the Delta logs under LAKE_URI (read-only; the jobs worker writes the lake).
import type { LakeTableName } from '../lake/lake-tables.ts';
import type { HistoryEntry, TableSummary } from '../lake/table-history.ts';

// The reader loads parquet-wasm (checkpoints): imported when first needed, not when a page renders.
const history = () => import('../lake/table-history.ts');

export class LakeReader {
  constructor(private readonly lakeUri: string) {}

  async tables(): Promise<TableSummary[]> {
    return (await history()).lakeSummary(this.lakeUri);
  }

  async history(table: LakeTableName): Promise<HistoryEntry[]> {
    return (await history()).lakeTableHistory(this.lakeUri, table);
  }

  async rowCountAt(
    table: LakeTableName,
    version: number,
  ): Promise<{ version: number; rows: number | null; files: number }> {
    return (await history()).lakeRowCountAt(this.lakeUri, table, version);
  }
}

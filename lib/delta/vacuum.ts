// Removes data files no snapshot of the latest version references: orphans of killed or failed
// runs (never committed) and files replaced by an overwrite (tombstones), once older than the
// retention. Files newer than the retention are kept: a running export may be about to commit
// them, and readers of a slightly older version may still be reading them.
import { LOG_DIR, decodeDataPath } from './delta-log.ts';
import { assertWritable } from './delta-snapshot.ts';
import { MANIFEST_DIR } from './table-layout.ts';
import { DeltaTable } from './delta-table.ts';
import { subStore, type ObjectStore } from './object-store.ts';

/** Delta's default (delta.deletedFileRetentionDuration): one week. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;

export interface VacuumOptions {
  /** The store holding the tables, each in the directory of its name. */
  store: ObjectStore;
  retentionMs?: number;
  /** List what would be deleted without deleting. */
  dryRun?: boolean;
  tables: string[];
  now?: number;
}

export interface TableVacuum {
  table: string;
  /** False when the directory has no Delta log (then nothing is touched). */
  isDeltaTable: boolean;
  deleted: string[];
  bytesFreed: number;
  /** Unreferenced files kept because they are younger than the retention. */
  keptRecent: number;
}

export async function vacuumTables(options: VacuumOptions): Promise<TableVacuum[]> {
  const now = options.now ?? Date.now();
  const cutoff = now - (options.retentionMs ?? DEFAULT_RETENTION_MS);
  const out: TableVacuum[] = [];
  for (const name of options.tables) {
    const table = new DeltaTable(name, subStore(options.store, name));
    const { commits } = await table.listLog();
    if (commits.length === 0) {
      out.push({ table: name, isDeltaTable: false, deleted: [], bytesFreed: 0, keptRecent: 0 });
      continue;
    }
    const snapshot = await table.loadSnapshot();
    // Deleting is writing: a table another tool upgraded may reference files in ways this module
    // does not know (deletion vectors), so it is refused rather than damaged.
    assertWritable(snapshot, name);
    const referenced = new Set([...snapshot.files.keys()].map(decodeDataPath));
    const tombstones = new Map(
      [...snapshot.tombstones.values()].map((r) => [decodeDataPath(r.path), r]),
    );
    const result: TableVacuum = {
      table: name,
      isDeltaTable: true,
      deleted: [],
      bytesFreed: 0,
      keptRecent: 0,
    };
    for (const o of await table.store.list('')) {
      if (o.key.startsWith(`${LOG_DIR}/`) || o.key.startsWith(`${MANIFEST_DIR}/`)) continue;
      if (referenced.has(o.key)) continue;
      const removedAt = tombstones.get(o.key)?.deletionTimestamp;
      const age = Math.max(o.lastModified, removedAt ?? 0);
      if (age >= cutoff) {
        result.keptRecent++;
        continue;
      }
      if (!options.dryRun) await table.store.delete(o.key);
      result.deleted.push(o.key);
      result.bytesFreed += o.size;
    }
    out.push(result);
  }
  return out;
}

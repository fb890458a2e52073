// The first steps of a lake export: open the five tables and enforce their schemas (a mismatch
// stops the run before anything is read), fix the AvailableNow bound (each partition's end offset
// now) meanwhile, then plan the reads from the offsets each table's txn actions hold.
import type { Kafka } from 'kafkajs';
import type { DeltaSnapshot } from '../../lib/delta/delta-snapshot.ts';
import { DeltaTable } from '../../lib/delta/delta-table.ts';
import { subStore, type ObjectStore } from '../../lib/delta/object-store.ts';
import { LAKE_TABLES, type LakeTableName } from '../../lib/lake/lake-tables.ts';
import {
  planReads,
  type ReadPlan,
  type TableProgress,
  type TopicBounds,
} from '../../lib/lake/read-plan.ts';
import { planSchema, type SchemaPlan } from './table-commit.ts';

export interface OpenedTables {
  tables: Record<LakeTableName, DeltaTable>;
  snapshots: Record<LakeTableName, DeltaSnapshot>;
  schemas: Record<LakeTableName, SchemaPlan>;
}

/** Loads each table's snapshot and plans its schema; throws SchemaMismatchError on a mismatch. */
export async function openLakeTables(store: ObjectStore): Promise<OpenedTables> {
  const tables = Object.fromEntries(
    LAKE_TABLES.map((t) => [t.name, new DeltaTable(t.name, subStore(store, t.name))]),
  ) as Record<LakeTableName, DeltaTable>;
  // The logs are read together: each waits on the store more than it works.
  const loaded = await Promise.all(LAKE_TABLES.map((def) => tables[def.name].loadSnapshot()));
  const snapshots = {} as Record<LakeTableName, DeltaSnapshot>;
  const schemas = {} as Record<LakeTableName, SchemaPlan>;
  for (const [i, def] of LAKE_TABLES.entries()) {
    snapshots[def.name] = loaded[i]!;
    // Schema enforcement before any work: a mismatch stops the run here.
    schemas[def.name] = planSchema(def, snapshots[def.name]);
  }
  return { tables, snapshots, schemas };
}

export interface ExportPlan {
  plan: ReadPlan;
  /** The topic tables in commit order, with the txn versions they held at the start. */
  fed: TableProgress[];
}

/** Each topic table's reads from its stored offsets up to `bounds`. */
export function planExport(
  bounds: TopicBounds[],
  topics: { clicks: string; checkouts: string },
  snapshots: Record<LakeTableName, DeltaSnapshot>,
  warnings: string[],
): ExportPlan {
  const tableProgress = (name: LakeTableName, sources: string[]): TableProgress => ({
    table: name,
    topics: sources,
    txnVersions: new Map([...snapshots[name].txns].map(([appId, txn]) => [appId, txn.version])),
  });
  const fed: TableProgress[] = [
    tableProgress('clicks', [topics.clicks]),
    tableProgress('checkouts', [topics.checkouts]),
    tableProgress('dead_letters', [topics.clicks, topics.checkouts]),
  ];
  const plan = planReads(bounds, fed);
  warnings.push(...plan.warnings);
  return { plan, fed };
}

/** The AvailableNow bound: end offsets fixed now; whatever arrives later is the next run's. */
export async function topicBounds(
  kafka: Kafka,
  topics: string[],
  warnings: string[],
): Promise<TopicBounds[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const out: TopicBounds[] = [];
    for (const topic of topics) {
      if (!existing.has(topic)) {
        warnings.push(`topic ${topic} does not exist yet: nothing to export from it`);
        out.push({ topic, partitions: [] });
        continue;
      }
      const offsets = await admin.fetchTopicOffsets(topic);
      out.push({
        topic,
        partitions: offsets.map((o) => ({
          partition: o.partition,
          low: Number(o.low),
          high: Number(o.high),
        })),
      });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

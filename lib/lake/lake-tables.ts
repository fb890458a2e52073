// The lake's table contract (docs/lake.md): names, Delta schemas and partition columns of the
// five tables the export writes and the dbt models read. Change a table here and in docs/lake.md
// together; the models rely on exactly these names and types.
import { field, struct, type TableDefinition } from '../delta/delta-schema.ts';
import type { WriterIdentity } from '../delta/table-commit.ts';

export type LakeTableName =
  'clicks' | 'checkouts' | 'dead_letters' | 'users' | 'speed_attributed_checkouts';

export interface LakeTable extends TableDefinition {
  name: LakeTableName;
  /** How each export changes it: append new rows, or replace the whole content. */
  mode: 'append' | 'overwrite';
}

/** The export as the writer its commits name (commitInfo `engineInfo`, `queryId`). */
export const LAKE_EXPORT_WRITER: WriterIdentity = {
  engineInfo: 'clickstream-lake-export/0.1.0',
  queryId: 'clickstream-lake-export',
};

const kafkaColumns = [
  field('kafka_topic', 'string', false),
  field('kafka_partition', 'integer', false),
  field('kafka_offset', 'long', false),
  field('ingested_at', 'timestamp', false),
];

export const clicksTable: LakeTable = {
  name: 'clicks',
  mode: 'append',
  partitionColumns: ['event_date'],
  plainColumns: ['click_id', 'event_time', 'kafka_offset', 'ingested_at'],
  description: 'Every valid click read from the clicks topic, as read (duplicates kept).',
  schema: struct([
    field('click_id', 'string', false),
    field('user_id', 'long', false),
    field('product_id', 'string', false),
    field('product', 'string', false),
    field('price', 'double', false),
    field('url', 'string', false),
    field('user_agent', 'string', false),
    field('ip_address', 'string', false),
    field('event_time', 'timestamp', false),
    field('event_date', 'date', false),
    ...kafkaColumns,
  ]),
};

export const checkoutsTable: LakeTable = {
  name: 'checkouts',
  mode: 'append',
  partitionColumns: ['event_date'],
  plainColumns: ['checkout_id', 'event_time', 'kafka_offset', 'ingested_at'],
  description: 'Every valid checkout read from the checkouts topic, as read (duplicates kept).',
  schema: struct([
    field('checkout_id', 'string', false),
    field('user_id', 'long', false),
    field('product_id', 'string', false),
    field('payment_method', 'string', false),
    field('total_amount', 'decimal(38,2)', false),
    field('shipping_address', 'string', false),
    field('billing_address', 'string', false),
    field('user_agent', 'string', false),
    field('ip_address', 'string', false),
    field('event_time', 'timestamp', false),
    field('event_date', 'date', false),
    ...kafkaColumns,
  ]),
};

export const deadLettersTable: LakeTable = {
  name: 'dead_letters',
  mode: 'append',
  partitionColumns: ['ingest_date'],
  plainColumns: ['offset', 'raw', 'ingested_at'],
  description: 'Messages of either topic that failed validation, with the reason.',
  schema: struct([
    field('topic', 'string', false),
    field('partition', 'integer', false),
    field('offset', 'long', false),
    field('raw', 'binary', false),
    field('reason', 'string', false),
    field('ingested_at', 'timestamp', false),
    field('ingest_date', 'date', false),
  ]),
};

export const usersTable: LakeTable = {
  name: 'users',
  mode: 'overwrite',
  partitionColumns: [],
  description: 'SCD type 2 history of commerce.users: one row per (user, name) period.',
  schema: struct([
    field('user_id', 'long', false),
    field('username', 'string', false),
    field('valid_from', 'timestamp', false),
    field('valid_to', 'timestamp', true),
    field('is_current', 'boolean', false),
  ]),
};

export const speedAttributedCheckoutsTable: LakeTable = {
  name: 'speed_attributed_checkouts',
  mode: 'overwrite',
  partitionColumns: [],
  description: "The speed layer's commerce.attributed_checkouts as of the export.",
  schema: struct([
    field('checkout_id', 'string', false),
    field('user_id', 'long', false),
    field('user_name', 'string', false),
    field('click_id', 'string', true),
    field('product_id', 'string', false),
    field('total_amount', 'decimal(38,2)', false),
    field('checkout_time', 'timestamp', false),
    field('click_time', 'timestamp', true),
    field('is_final', 'boolean', false),
    field('is_unknown_user', 'boolean', false),
    field('is_late', 'boolean', false),
    field('snapshot_at', 'timestamp', false),
  ]),
};

export const LAKE_TABLES: readonly LakeTable[] = [
  clicksTable,
  checkoutsTable,
  deadLettersTable,
  usersTable,
  speedAttributedCheckoutsTable,
];

export function lakeTable(name: string): LakeTable {
  const table = LAKE_TABLES.find((t) => t.name === name);
  if (!table)
    throw new Error(
      `unknown lake table "${name}" (known: ${LAKE_TABLES.map((t) => t.name).join(', ')})`,
    );
  return table;
}

/**
 * The `txn` appId under which a table stores the next offset of one source topic-partition.
 * The table itself is the consumer checkpoint: version = the next offset to read.
 */
export function offsetAppId(topic: string, partition: number): string {
  return `clickstream-lake-export:${topic}:${partition}`;
}

/** Inverse of offsetAppId, or undefined for an appId this exporter did not write. */
export function parseOffsetAppId(appId: string): { topic: string; partition: number } | undefined {
  const m = /^clickstream-lake-export:(.+):(\d+)$/.exec(appId);
  return m ? { topic: m[1]!, partition: Number(m[2]) } : undefined;
}

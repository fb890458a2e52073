// A clicks table as the lake export wrote it before click schema v2 (no session_id column): the
// starting point of the schema-evolution tests, written with lib/delta and the export's commit.
// Not a test file.
import { DeltaTable } from '../../lib/delta/delta-table.ts';
import { struct } from '../../lib/delta/delta-schema.ts';
import { LocalObjectStore } from '../../lib/delta/local-store.ts';
import { subStore } from '../../lib/delta/object-store.ts';
import type { RowBuffer } from '../../lib/delta/row-buffer.ts';
import { PartitionedTableWriter } from '../../lib/delta/table-writer.ts';
import { clicksTable, type LakeTable } from '../../lib/lake/lake-tables.ts';
import { byEventDate, type ClickRow } from '../../lib/lake/table-rows.ts';
import { commitAppend, planSchema } from '../../workers/lake/table-commit.ts';

/** The clicks table as the export defined it before click schema v2. */
export const clicksBeforeV2: LakeTable = {
  ...clicksTable,
  schema: struct(clicksTable.schema.fields.filter((f) => f.name !== 'session_id')),
};

/** Fills whatever columns the buffer has from a click row (the previous release's appender). */
function appendByName(rows: RowBuffer): (row: ClickRow) => void {
  const value = (name: string, r: ClickRow): unknown => {
    const e = r.event;
    const byName: Record<string, unknown> = {
      click_id: e.clickId,
      user_id: e.userId,
      product_id: e.productId,
      product: e.product,
      price: e.price,
      url: e.url,
      user_agent: e.userAgent,
      ip_address: e.ipAddress,
      event_time: e.time,
      kafka_topic: r.topic,
      kafka_partition: r.partition,
      kafka_offset: r.offset,
      ingested_at: r.ingestedAt,
    };
    if (!(name in byName)) throw new Error(`the old appender has no column ${name}`);
    return byName[name];
  };
  return (r) => {
    for (const c of rows.columns) (c as { push(v: unknown): void }).push(value(c.field.name, r));
  };
}

/** Writes `ids` as clicks into a clicks table of the old schema (version 0). */
export async function writeOldClicksTable(
  lake: string,
  ids: string[],
  txns = new Map<string, number>(),
): Promise<void> {
  const table = new DeltaTable('clicks', subStore(new LocalObjectStore(lake), 'clicks'));
  const base = await table.loadSnapshot();
  const writer = new PartitionedTableWriter<ClickRow, number>(clicksBeforeV2, table.store, {
    appender: appendByName,
    ...byEventDate,
  });
  const at = Date.UTC(2025, 11, 31, 12);
  await writer.appendAll(
    ids.map((clickId, i) => ({
      event: {
        clickId,
        userId: 1,
        productId: '1',
        product: 'Lamp',
        price: 9.5,
        url: 'https://shop.example/p/1',
        userAgent: 'ua',
        ipAddress: '10.0.0.1',
        time: at + i,
      },
      topic: 'before-v2',
      partition: 0,
      offset: i,
      ingestedAt: at + i,
    })),
  );
  await commitAppend({
    table,
    def: clicksBeforeV2,
    base,
    schema: planSchema(clicksBeforeV2, base),
    files: await writer.finish(),
    txns,
    runId: 'before-v2',
    now: at,
  });
}

// The clicks table gaining session_id (click schema v2) in place: a table written before the
// column existed is evolved by the next export, in the same optimistic commit as its rows and
// offsets (a metaData action with the widened schema, the table's id kept); old rows read null,
// new rows carry the session they were sent with; delta-rs reads it, and the Redshift DDL made
// from the evolved log declares the column. Real broker and PostgreSQL.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSchemaString } from '../../lib/delta/delta-schema.ts';
import { DeltaTable } from '../../lib/delta/delta-table.ts';
import { LocalObjectStore } from '../../lib/delta/local-store.ts';
import { subStore } from '../../lib/delta/object-store.ts';
import { clicksTable, offsetAppId } from '../../lib/lake/lake-tables.ts';
import { spectrumDdl } from '../../lib/lake/redshift-ddl.ts';
import { lakeSummary } from '../../lib/lake/table-history.ts';
import { runLakeExport, type LakeExportOptions } from './export.ts';
import { writeOldClicksTable } from '../../test/lake/clicks-before-v2.ts';
import {
  createLakeTestEnv,
  readWithDeltaRs,
  type LakeTestEnv,
} from '../../test/lake/lake-test-env.ts';

let env: LakeTestEnv;
const options = (overrides: Partial<LakeExportOptions> = {}): LakeExportOptions => ({
  lakeUri: env.lakeDir,
  topics: env.topics,
  kafka: env.kafka,
  pool: env.pool,
  groupIdPrefix: env.childEnv.CONSUMER_GROUP_PREFIX,
  ...overrides,
});

/** The actions of one commit of the clicks table. */
const logActions = (lake: string, version: number) =>
  readFileSync(
    path.join(lake, 'clicks/_delta_log', `${String(version).padStart(20, '0')}.json`),
    'utf8',
  )
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);

/** The clicks topic's end offsets, as txn versions: a table that has read everything. */
async function readEverything(): Promise<Map<string, number>> {
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(env.topics.clicks);
    return new Map(
      offsets.map((o) => [offsetAppId(env.topics.clicks, o.partition), Number(o.high)]),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Produces JSON clicks that carry a session_id string (the JSON form of click v2's field). */
async function produceClicksWithSessions(n: number): Promise<Map<string, string>> {
  const sessions = new Map<string, string>();
  const producer = env.kafka.producer();
  await producer.connect();
  const at = Date.UTC(2026, 0, 1, 12);
  const messages = Array.from({ length: n }, (_, i) => {
    const clickId = `v2-click-${i}`;
    sessions.set(clickId, `ses-${i % 3}`);
    return {
      value: JSON.stringify({
        click_id: clickId,
        user_id: 1 + (i % 5),
        product_id: String(i % 4),
        product: 'Lamp',
        price: 9.5,
        url: 'https://shop.example/p/1',
        user_agent: 'ua',
        ip_address: '10.0.0.1',
        datetime_occured: new Date(at + i).toISOString().replace('T', ' ').replace('Z', ''),
        session_id: `ses-${i % 3}`,
      }),
    };
  });
  await producer.send({ topic: env.topics.clicks, messages, acks: -1 });
  await producer.disconnect();
  return sessions;
}

beforeAll(async () => {
  env = await createLakeTestEnv(2);
}, 120_000);

afterAll(async () => {
  await env?.cleanup();
});

describe('lake schema evolution: clicks gains session_id', () => {
  it('evolves a table written without the column in place, old rows null, new rows carrying it', async () => {
    const old = ['old-1', 'old-2', 'old-3'];
    await writeOldClicksTable(env.lakeDir, old);
    const before = await readWithDeltaRs(env.python, path.join(env.lakeDir, 'clicks'));
    expect(before.schema.map((f) => f.name)).not.toContain('session_id');
    const v0Id = logActions(env.lakeDir, 0).find((a) => 'metaData' in a)!.metaData!.id;

    await env.produce(200);
    const sessions = await produceClicksWithSessions(30);
    await runLakeExport(options());

    // One commit: the widened metaData (same table id, the column appended), the rows, the offsets.
    const log = logActions(env.lakeDir, 1);
    const meta = log.find((a) => 'metaData' in a)!.metaData!;
    expect(meta.id).toBe(v0Id);
    expect(parseSchemaString(meta.schemaString as string).fields.at(-1)).toEqual({
      name: 'session_id',
      type: 'string',
      nullable: true,
      metadata: {},
    });
    expect(log.some((a) => 'add' in a)).toBe(true);
    expect(log.some((a) => 'txn' in a)).toBe(true);
    expect(log.some((a) => 'protocol' in a)).toBe(false);

    const read = await readWithDeltaRs(env.python, path.join(env.lakeDir, 'clicks'), {
      columns: ['click_id', 'session_id'],
    });
    expect(read.version).toBe(1);
    expect(read.schema.map((f) => f.name)).toEqual(clicksTable.schema.fields.map((f) => f.name));
    expect(read.schema.at(-1)).toEqual({ name: 'session_id', type: 'string', nullable: true });
    const byId = new Map(read.rows!.map(([id, session]) => [id as string, session]));
    for (const id of old) expect(byId.get(id)).toBeNull();
    for (const [id, session] of sessions) expect(byId.get(id)).toBe(session);
    for (const id of env.expected.clickIds) expect(byId.get(id)).toBeNull();
    expect(read.num_rows).toBe(old.length + sessions.size + env.expected.clickIds.length);

    // Spectrum's DDL is made from the log: the evolved table declares the column.
    const summary = (await lakeSummary(env.lakeDir)).find((t) => t.table === 'clicks')!;
    const ddl = spectrumDdl('lake', [
      {
        name: 'clicks',
        schema: parseSchemaString(summary.schemaString!),
        partitionColumns: summary.partitionColumns,
        location: summary.location,
        partitions: summary.partitions,
      },
    ]);
    expect(ddl).toMatch(/"ingested_at" TIMESTAMP,\n {2}"session_id" VARCHAR\(65535\)\n\)/);
  }, 180_000);

  it('evolves a table that has nothing new to read with a metaData-only commit, once', async () => {
    const lake = path.join(env.lakeDir, 'idle');
    await writeOldClicksTable(lake, ['idle-1'], await readEverything());
    // Offsets at the end already: this run reads nothing for clicks, yet the table must evolve.
    await runLakeExport(options({ lakeUri: lake }));
    const table = new DeltaTable('clicks', subStore(new LocalObjectStore(lake), 'clicks'));
    const first = await table.loadSnapshot();
    expect(first.version).toBe(1);
    expect(logActions(lake, 1).map((a) => Object.keys(a)[0])).toEqual(['commitInfo', 'metaData']);
    const read = await readWithDeltaRs(env.python, path.join(lake, 'clicks'), {
      columns: ['click_id', 'session_id'],
    });
    expect(read.schema.at(-1)?.name).toBe('session_id');
    expect(read.rows).toContainEqual(['idle-1', null]);

    await runLakeExport(options({ lakeUri: lake }));
    expect((await table.loadSnapshot()).version).toBe(first.version);
  }, 180_000);
});

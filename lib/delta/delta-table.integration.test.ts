// The Delta writer against delta-rs, an independent implementation: checkpoints every 10 commits
// (read by delta-rs even after the JSON commits before them are gone), time travel, txn versions,
// racing writers on one version, and vacuum. The table is a test table, not one of the product's.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePythonEnv } from '../../scripts/python-env.ts';
import {
  appendEvents,
  eventsTable,
  testWriter,
  writeEvents,
} from '../../test/delta/events-table.ts';
import { readWithDeltaRs } from '../../test/lake/lake-test-env.ts';
import { commitFileName, type Action } from './delta-log.ts';
import { applyCommit, emptySnapshot } from './delta-snapshot.ts';
import { ConcurrentCommitError, DeltaTable } from './delta-table.ts';
import { LocalObjectStore } from './local-store.ts';
import { subStore } from './object-store.ts';
import { commitReplace, planSchema } from './table-commit.ts';
import { rowCountAt, tableHistory, tableState } from './table-history.ts';
import { vacuumTables } from './vacuum.ts';

let python: string;
let root: string;
beforeAll(async () => {
  python = await ensurePythonEnv();
  root = mkdtempSync(path.join(tmpdir(), 'delta-table-test-'));
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function openTable(lake: string) {
  const store = new LocalObjectStore(lake);
  return { store, table: new DeltaTable('events', subStore(store, 'events')) };
}

describe('Delta log writer', () => {
  it('checkpoints every 10 commits, readable by delta-rs without the JSON before it', async () => {
    const lake = path.join(root, 'checkpoints');
    const { table } = openTable(lake);
    let snapshot = emptySnapshot();
    for (let v = 0; v <= 12; v++)
      snapshot = (await appendEvents(table, snapshot, v * 10, 10)).snapshot;

    const last = JSON.parse(
      readFileSync(path.join(lake, 'events/_delta_log/_last_checkpoint'), 'utf8'),
    );
    expect(last).toMatchObject({ version: 10, numOfAddFiles: 11 * 2 });
    const read = await readWithDeltaRs(python, path.join(lake, 'events'), {
      txns: ['app'],
      countsAtVersions: true,
    });
    expect(read).toMatchObject({ version: 12, num_rows: 130, txns: { app: 130 } });
    expect(read.counts_at_versions).toEqual(
      Object.fromEntries(Array.from({ length: 13 }, (_, v) => [String(v), (v + 1) * 10])),
    );
    expect(Object.keys(read.partitions).sort()).toEqual([
      'event_date=2026-01-01',
      'event_date=2026-01-02',
    ]);

    // Our history and time travel agree with delta-rs's counts at every version.
    const history = await tableHistory(table);
    expect(history.map((h) => h.version)).toEqual(Array.from({ length: 13 }, (_, v) => 12 - v));
    expect(history.every((h) => h.rowsAdded === 10 && h.operation === 'STREAMING UPDATE')).toBe(
      true,
    );
    for (const v of [0, 9, 10, 12]) {
      expect((await rowCountAt(table, v)).rows).toBe(read.counts_at_versions![String(v)]);
    }
    expect(await tableState(table)).toMatchObject({ exists: true, version: 12, rows: 130 });

    // Our loader starts from the checkpoint; it must equal a replay of every JSON commit.
    const fromCheckpoint = await table.loadSnapshot();
    const replayed = emptySnapshot();
    for (let v = 0; v <= 12; v++) applyCommit(replayed, v, (await table.readCommit(v))!);
    expect(fromCheckpoint.files).toEqual(replayed.files);
    expect(fromCheckpoint.txns).toEqual(replayed.txns);
    expect(fromCheckpoint.metadata).toEqual(replayed.metadata);

    // Metadata cleanup: without commits 0-9, delta-rs (and we) rebuild the table from checkpoint 10.
    const cleaned = path.join(root, 'cleaned');
    cpSync(lake, cleaned, { recursive: true });
    for (let v = 0; v < 10; v++) rmSync(path.join(cleaned, 'events/_delta_log', commitFileName(v)));
    const fromCleaned = await readWithDeltaRs(python, path.join(cleaned, 'events'), {
      txns: ['app'],
    });
    expect(fromCleaned).toMatchObject({ version: 12, num_rows: 130, txns: { app: 130 } });
    const ours = await openTable(cleaned).table.loadSnapshot();
    expect(ours.files).toEqual(fromCheckpoint.files);
    const at10 = await readWithDeltaRs(python, path.join(cleaned, 'events'), { version: 10 });
    expect(at10.num_rows).toBe(110);
  });

  it('lets one of two writers of the same version win; the other retries only if its offsets are untouched', async () => {
    const lake = path.join(root, 'race');
    const { table } = openTable(lake);
    const base = (await appendEvents(table, emptySnapshot(), 0, 5, 'a')).snapshot;
    // Two exports that read the same base: the second must not commit rows the first may hold.
    await appendEvents(table, base, 5, 5, 'a');
    const error = await appendEvents(table, base, 5, 5, 'a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentCommitError);
    expect((error as Error).message).toMatch(/moved a from 10 to 10|moved a from 5 to 10/);
    // A writer of other offsets (another appId) just lands on the next version.
    const other = await appendEvents(table, base, 100, 5, 'b');
    expect(other.version).toBe(2);
    // Many writers at once on one base: every one commits, each on its own version.
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => appendEvents(table, other.snapshot, 1000 + i * 10, 3, `w${i}`)),
    );
    expect(results.map((r) => r.version).sort()).toEqual([3, 4, 5, 6, 7]);
    const read = await readWithDeltaRs(python, path.join(lake, 'events'), {
      txns: ['a', 'b', 'w0', 'w4'],
    });
    expect(read).toMatchObject({
      version: 7,
      num_rows: 5 + 5 + 5 + 15,
      txns: { a: 10, b: 105, w0: 1003, w4: 1043 },
    });
  });

  it('vacuum removes orphaned and replaced files after the retention, and the table still reads', async () => {
    const lake = path.join(root, 'vacuum');
    const { store, table } = openTable(lake);
    const first = await appendEvents(table, emptySnapshot(), 0, 10);
    const orphans = await writeEvents(table, 50, 10); // written by a run that never committed
    const replaced = await commitReplace({
      table,
      def: eventsTable,
      writer: testWriter,
      base: first.snapshot,
      schema: planSchema(eventsTable, first.snapshot),
      files: await writeEvents(table, 20, 4),
      runId: 'replace',
      now: Date.now(),
    });
    const live = [...replaced.snapshot.files.keys()];
    const gone = [...orphans.map((f) => f.add.path), ...first.snapshot.files.keys()];

    const kept = await vacuumTables({ store, tables: ['events'] });
    expect(kept[0]).toMatchObject({ deleted: [], keptRecent: gone.length });
    const dry = await vacuumTables({
      store,
      tables: ['events'],
      retentionMs: 0,
      dryRun: true,
      now: Date.now() + 1,
    });
    expect(dry[0]!.deleted.sort()).toEqual(gone.sort());
    const result = await vacuumTables({
      store,
      tables: ['events'],
      retentionMs: 0,
      now: Date.now() + 1,
    });
    expect(result[0]!.deleted.sort()).toEqual(gone.sort());
    for (const p of gone) expect(existsSync(path.join(lake, 'events', p))).toBe(false);
    for (const p of live) expect(existsSync(path.join(lake, 'events', p))).toBe(true);
    const read = await readWithDeltaRs(python, path.join(lake, 'events'));
    expect(read).toMatchObject({ version: 1, num_rows: 4 });
  });

  it('refuses loudly to read, write or vacuum a table another tool upgraded to deletion vectors', async () => {
    const lake = path.join(root, 'upgraded');
    const { store, table } = openTable(lake);
    const first = await appendEvents(table, emptySnapshot(), 0, 4);
    const upgrade: Action[] = [
      { commitInfo: { timestamp: Date.now(), operation: 'UPGRADE PROTOCOL' } },
      {
        protocol: {
          minReaderVersion: 3,
          minWriterVersion: 7,
          readerFeatures: ['deletionVectors'],
          writerFeatures: ['deletionVectors'],
        },
      },
    ];
    await table.commit(first.snapshot, upgrade, () => 'no');
    const refused = /requires reader version 3 \/ writer version 7 \(features: deletionVectors/;
    await expect(table.loadSnapshot()).rejects.toThrow(refused);
    await expect(table.loadSnapshot(0)).resolves.toMatchObject({ version: 0 }); // before it
    await expect(vacuumTables({ store, tables: ['events'], retentionMs: 0 })).rejects.toThrow(
      refused,
    );
    const upgraded = await table.catchUp(first.snapshot);
    expect(() => planSchema(eventsTable, upgraded.snapshot)).toThrow(refused);
  });

  it("reads a table delta-rs wrote, from delta-rs's own checkpoint, and appends to it", async () => {
    const lake = path.join(root, 'from-delta-rs');
    // Three appends and a checkpoint of version 2, by delta-rs, in the test table's schema.
    await promisify(execFile)(python, [
      '-c',
      `
import datetime, sys, pyarrow as pa
from deltalake import DeltaTable, write_deltalake
schema = pa.schema([pa.field('id', pa.int64(), False), pa.field('payload', pa.binary(), False),
                    pa.field('note', pa.string(), True), pa.field('event_date', pa.date32(), False)])
for i in range(3):
    write_deltalake(sys.argv[1], pa.table({
        'id': [i * 10 + j for j in range(10)], 'payload': [b'x'] * 10, 'note': ['n', None] * 5,
        'event_date': [datetime.date(2026, 1, 1 + j % 2) for j in range(10)]}, schema=schema),
        mode='append', partition_by=['event_date'])
DeltaTable(sys.argv[1]).create_checkpoint()
`,
      path.join(lake, 'events'),
    ]);
    const { table } = openTable(lake);
    expect((await table.listLog()).checkpoints).toEqual([2]);
    const snapshot = await table.loadSnapshot();
    expect(snapshot).toMatchObject({ version: 2, protocol: { minReaderVersion: 1 } });
    expect(snapshot.files.size).toBe(6);
    const replayed = emptySnapshot();
    for (let v = 0; v <= 2; v++) applyCommit(replayed, v, (await table.readCommit(v))!);
    expect([...snapshot.files.keys()].sort()).toEqual([...replayed.files.keys()].sort());
    expect(await tableState(table)).toMatchObject({ version: 2, rows: 30, files: 6 });

    const appended = await appendEvents(table, snapshot, 100, 10);
    expect(appended.version).toBe(3);
    const read = await readWithDeltaRs(python, path.join(lake, 'events'), { txns: ['app'] });
    expect(read).toMatchObject({ version: 3, num_rows: 40, txns: { app: 110 } });
  });

  it('writes txn-only commits that delta-rs accepts', async () => {
    const lake = path.join(root, 'txn-only');
    const { table } = openTable(lake);
    const actions: Action[] = [
      { commitInfo: { timestamp: Date.now(), operation: 'STREAMING UPDATE' } },
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      ...(await (async () => {
        const s = planSchema(eventsTable, emptySnapshot());
        return [
          {
            metaData: {
              id: 'm',
              format: { provider: 'parquet', options: {} },
              schemaString: JSON.stringify(s.schema),
              partitionColumns: ['event_date'],
              configuration: {},
            },
          },
        ];
      })()),
      { txn: { appId: 'app', version: 0 } },
    ];
    await table.commit(emptySnapshot(), actions, () => 'no');
    const read = await readWithDeltaRs(python, path.join(lake, 'events'), { txns: ['app'] });
    expect(read).toMatchObject({ version: 0, num_rows: 0, txns: { app: 0 } });
  });
});

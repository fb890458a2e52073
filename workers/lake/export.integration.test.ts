// The lake export against the real broker and PostgreSQL, read back by delta-rs (an independent
// Delta implementation): exact content, schema, partitions, offsets, history, time travel, the
// reference tables, run bookkeeping, schema enforcement and evolution, and storage failures.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SchemaMismatchError,
  field,
  schemaToString,
  struct,
} from '../../lib/delta/delta-schema.ts';
import { emptySnapshot } from '../../lib/delta/delta-snapshot.ts';
import { LAKE_TABLES, offsetAppId, usersTable } from '../../lib/lake/lake-tables.ts';
import { DeltaTable } from '../../lib/delta/delta-table.ts';
import { runLakeExport, type LakeExportOptions, type LakeExportProgress } from './export.ts';
import { createPrisma } from '../../lib/db/client.ts';
import { JobAlreadyActiveError } from '../../lib/jobs/job-run.ts';
import { JobRunStore } from '../../lib/jobs/job-run-store.ts';
import { LocalObjectStore } from '../../lib/delta/local-store.ts';
import { LakeStorageError, subStore, type ObjectStore } from '../../lib/delta/object-store.ts';
import { lakeRowCountAt, lakeSummary, lakeTableHistory } from '../../lib/lake/table-history.ts';
import {
  createLakeTestEnv,
  readWithDeltaRs,
  sorted,
  type LakeTestEnv,
} from '../../test/lake/lake-test-env.ts';

let env: LakeTestEnv;
/** Whether a lake export is running, as any process sees it (its job_runs row). */
const isExportRunning = async () => {
  const prisma = createPrisma('', { pool: env.pool });
  const active = await new JobRunStore(prisma).active('lake_export');
  await prisma.$disconnect();
  return active?.status === 'running';
};
const options = (overrides: Partial<LakeExportOptions> = {}): LakeExportOptions => ({
  lakeUri: env.lakeDir,
  topics: env.topics,
  kafka: env.kafka,
  pool: env.pool,
  groupIdPrefix: env.childEnv.CONSUMER_GROUP_PREFIX,
  ...overrides,
});
const tableUri = (name: string, lake = env.lakeDir) => path.join(lake, name);

async function endOffsets(topic: string): Promise<Map<number, number>> {
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    return new Map(
      (await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]),
    );
  } finally {
    await admin.disconnect();
  }
}

async function insertSpeedRows(
  rows: { id: string; clickId: string | null; amount: string; user: number }[],
) {
  for (const r of rows) {
    await env.pool.query(
      `INSERT INTO commerce.attributed_checkouts (checkout_id, user_id, user_name, click_id, product_id, payment_method,
         total_amount, shipping_address, billing_address, user_agent, ip_address, checkout_time, click_time, is_final,
         is_unknown_user, is_late, partition, processed_at, first_written_at)
       VALUES ($1, $2, 'name', $3, 'p1', 'card', $4::numeric, 's', 'b', 'ua', 'ip', '2026-01-01T23:30:00.123Z',
         CASE WHEN $3::text IS NULL THEN NULL ELSE '2026-01-01T23:10:00.001Z'::timestamptz END, true, false, false, 0, now(), now())
       ON CONFLICT (checkout_id) DO UPDATE SET total_amount = EXCLUDED.total_amount`,
      [r.id, r.user, r.clickId, r.amount],
    );
  }
}

beforeAll(async () => {
  env = await createLakeTestEnv(3);
}, 300_000);

afterAll(async () => {
  await env?.cleanup();
});

describe('lake export', () => {
  it('writes all five tables, and delta-rs reads back exactly what was produced', async () => {
    await env.produce(3000);
    await insertSpeedRows([
      { id: 'chk-a', clickId: 'clk-a', amount: '19.90', user: 1 },
      { id: 'chk-b', clickId: null, amount: '123456789012345678901234567890123456.78', user: 100 },
    ]);
    const progress: LakeExportProgress[] = [];
    let runningDuringExport = false;
    const result = await runLakeExport(options(), (p) => {
      progress.push(p);
      if (p.phase === 'reading') void isExportRunning().then((r) => (runningDuringExport ||= r));
    });

    const clicks = await readWithDeltaRs(env.python, tableUri('clicks'), {
      columns: ['click_id', 'kafka_partition', 'kafka_offset'],
      txns: [0, 1, 2].map((p) => offsetAppId(env.topics.clicks, p)),
    });
    expect(clicks.num_rows).toBe(env.expected.clickIds.length);
    expect(sorted(clicks.rows!.map((r) => r[0] as string))).toEqual(sorted(env.expected.clickIds));
    expect(new Set(clicks.rows!.map((r) => `${String(r[1])}/${String(r[2])}`)).size).toBe(
      clicks.num_rows,
    );
    expect(clicks.partition_columns).toEqual(['event_date']);
    expect(Object.keys(clicks.partitions).sort()).toEqual([
      'event_date=2026-01-01',
      'event_date=2026-01-02',
    ]);
    expect(clicks.schema).toEqual(
      LAKE_TABLES[0]!.schema.fields.map((f) => ({
        name: f.name,
        type: f.type,
        nullable: f.nullable,
      })),
    );
    expect(clicks.arrow_schema.event_time).toBe('timestamp[us, tz=UTC]');
    expect(clicks.arrow_schema.event_date).toBe('date32[day]');
    // The table is the consumer checkpoint: its txn versions are the end offsets of the run.
    const ends = await endOffsets(env.topics.clicks);
    expect(clicks.txns).toEqual(
      Object.fromEntries([...ends].map(([p, o]) => [offsetAppId(env.topics.clicks, p), o])),
    );
    expect(clicks.history).toEqual([
      expect.objectContaining({ version: 0, operation: 'STREAMING UPDATE' }),
    ]);

    const checkouts = await readWithDeltaRs(env.python, tableUri('checkouts'), {
      columns: ['checkout_id', 'total_amount'],
    });
    expect(sorted(checkouts.rows!.map((r) => r[0] as string))).toEqual(
      sorted(env.expected.checkoutIds),
    );
    expect(checkouts.arrow_schema.total_amount).toBe('decimal128(38, 2)');
    expect(checkouts.rows!.every((r) => /^\d+\.\d\d$/.test(r[1] as string))).toBe(true);

    const dead = await readWithDeltaRs(env.python, tableUri('dead_letters'), {
      columns: ['topic', 'reason'],
    });
    expect(dead.num_rows).toBe(env.expected.deadLetters);
    expect(env.expected.deadLetters).toBeGreaterThan(0);
    expect(dead.rows!.every((r) => /^[a-z_]+(: .+)?$/.test(r[1] as string))).toBe(true);
    expect(dead.partition_columns).toEqual(['ingest_date']);

    const users = await readWithDeltaRs(env.python, tableUri('users'), {
      columns: ['user_id', 'valid_from', 'valid_to', 'is_current'],
    });
    expect(users.num_rows).toBe(100);
    expect(
      users.rows!.every(
        (r) => r[1] === '1970-01-01T00:00:00.000000Z' && r[2] === null && r[3] === true,
      ),
    ).toBe(true);

    const speed = await readWithDeltaRs(env.python, tableUri('speed_attributed_checkouts'), {
      columns: ['checkout_id', 'click_id', 'total_amount', 'checkout_time', 'click_time'],
    });
    expect(sorted(speed.rows!.map((r) => JSON.stringify(r)))).toEqual(
      sorted([
        JSON.stringify([
          'chk-a',
          'clk-a',
          '19.90',
          '2026-01-01T23:30:00.123000Z',
          '2026-01-01T23:10:00.001000Z',
        ]),
        JSON.stringify([
          'chk-b',
          null,
          '123456789012345678901234567890123456.78',
          '2026-01-01T23:30:00.123000Z',
          null,
        ]),
      ]),
    );

    // Run bookkeeping: result, job_runs row, live progress, and the lock seen from outside.
    expect(result.tables.clicks).toMatchObject({
      version: 0,
      rowsAdded: env.expected.clickIds.length,
    });
    expect(result.tables.dead_letters.rowsAdded).toBe(env.expected.deadLetters);
    const { rows: runs } = await env.pool.query(
      `SELECT status, error, result, progress FROM commerce.job_runs WHERE id = $1`,
      [result.runId],
    );
    expect(runs[0]).toMatchObject({ status: 'succeeded', error: null });
    expect(runs[0].result.tables.checkouts.rowsAdded).toBe(env.expected.checkoutIds.length);
    expect(runs[0].progress.topics[env.topics.clicks]).toMatchObject({
      read: ends.size > 0 ? expect.any(Number) : 0,
    });
    const last = progress.at(-1)!;
    expect(last.phase).toBe('done');
    for (const t of Object.values(last.topics)) expect(t.read).toBe(t.total);
    expect(runningDuringExport).toBe(true);
    expect(await isExportRunning()).toBe(false);

    // Symlink manifests list exactly the table's files, as absolute URIs.
    for (const part of Object.keys(clicks.partitions)) {
      const manifest = path.join(tableUri('clicks'), '_symlink_format_manifest', part, 'manifest');
      const uris = readFileSync(manifest, 'utf8').trim().split('\n');
      for (const uri of uris) expect(existsSync(fileURLToPath(uri))).toBe(true);
    }
  });

  it('appends only new events, versions renamed users, and time travel shows each version', async () => {
    const before = env.expected.clickIds.length;
    const firstIds = sorted(env.expected.clickIds);
    await env.produce(1000);
    await env.pool.query(`UPDATE commerce.users SET username = 'renamed' WHERE id = 5`);
    const result = await runLakeExport(options());
    expect(result.tables.clicks.version).toBe(1);
    expect(result.tables.users.version).toBe(1);

    const clicks = await readWithDeltaRs(env.python, tableUri('clicks'), {
      columns: ['click_id'],
      countsAtVersions: true,
    });
    expect(sorted(clicks.rows!.map((r) => r[0] as string))).toEqual(sorted(env.expected.clickIds));
    expect(clicks.counts_at_versions).toEqual({ '0': before, '1': env.expected.clickIds.length });
    const v0 = await readWithDeltaRs(env.python, tableUri('clicks'), {
      version: 0,
      columns: ['click_id'],
    });
    expect(v0.version).toBe(0);
    expect(sorted(v0.rows!.map((r) => r[0] as string))).toEqual(firstIds);
    expect(clicks.history.map((h) => [h.version, h.operation, h.metrics?.numOutputRows])).toEqual([
      [1, 'STREAMING UPDATE', String(env.expected.clickIds.length - before)],
      [0, 'STREAMING UPDATE', String(before)],
    ]);

    // Our own history and time-travel views agree with delta-rs.
    const history = await lakeTableHistory(env.lakeDir, 'clicks');
    expect(history.map((h) => [h.version, h.rowsAdded])).toEqual([
      [1, env.expected.clickIds.length - before],
      [0, before],
    ]);
    expect((await lakeRowCountAt(env.lakeDir, 'clicks', 0)).rows).toBe(before);
    const summary = await lakeSummary(env.lakeDir);
    expect(summary.find((s) => s.table === 'clicks')).toMatchObject({
      version: 1,
      rows: env.expected.clickIds.length,
    });

    const users = await readWithDeltaRs(env.python, tableUri('users'), {
      columns: ['user_id', 'username', 'valid_to', 'is_current'],
    });
    const user5 = users.rows!.filter((r) => r[0] === 5);
    expect(user5).toHaveLength(2);
    expect(user5.find((r) => r[3] === true)?.[1]).toBe('renamed');
    expect(user5.find((r) => r[3] === false)?.[2]).not.toBeNull();

    // Nothing new: the topic tables and users are left alone.
    const idle = await runLakeExport(options());
    expect([
      idle.tables.clicks.version,
      idle.tables.checkouts.version,
      idle.tables.dead_letters.version,
      idle.tables.users.version,
    ]).toEqual([null, null, null, null]);
    expect(idle.topics[env.topics.clicks]!.read).toBe(0);
  });

  it('does not start a second export while one is running', async () => {
    const [a, b] = await Promise.allSettled([runLakeExport(options()), runLakeExport(options())]);
    const outcomes = [a, b].map((r) => r.status);
    expect(outcomes.sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = [a, b].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(JobAlreadyActiveError);
    expect((rejected.reason as Error).message).toMatch(/a lake export is already running/);
  });

  it('refuses a table whose schema does not match, before reading anything', async () => {
    const lake = path.join(env.lakeDir, 'mismatch');
    const table = new DeltaTable('clicks', subStore(new LocalObjectStore(lake), 'clicks'));
    const wrong = struct([
      field('click_id', 'string', false),
      field('user_id', 'string', false),
      field('event_date', 'date', false),
    ]);
    await table.commit(
      emptySnapshot(),
      [
        { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
        {
          metaData: {
            id: 'x',
            format: { provider: 'parquet', options: {} },
            schemaString: schemaToString(wrong),
            partitionColumns: ['event_date'],
            configuration: {},
          },
        },
      ],
      () => 'no retry',
    );
    const error = await runLakeExport(options({ lakeUri: lake })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as Error).message).toMatch(
      /"user_id" is string in the table but long in the batch/,
    );
    expect((await table.listLog()).commits).toEqual([0]);
    const { rows } = await env.pool.query(
      `SELECT status, error FROM commerce.job_runs ORDER BY started_at DESC LIMIT 1`,
    );
    expect(rows[0].status).toBe('failed');
    expect(rows[0].error).toMatch(/schema mismatch for Delta table "clicks"/);
  });

  it('adds a nullable column to an existing table (schema evolution)', async () => {
    const lake = path.join(env.lakeDir, 'evolve');
    const users = new DeltaTable('users', subStore(new LocalObjectStore(lake), 'users'));
    const withoutValidTo = struct(usersTable.schema.fields.filter((f) => f.name !== 'valid_to'));
    await users.commit(
      emptySnapshot(),
      [
        { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
        {
          metaData: {
            id: 'u',
            format: { provider: 'parquet', options: {} },
            schemaString: schemaToString(withoutValidTo),
            partitionColumns: [],
            configuration: {},
          },
        },
      ],
      () => 'no retry',
    );
    await runLakeExport(options({ lakeUri: lake }));
    const read = await readWithDeltaRs(env.python, tableUri('users', lake), {
      columns: ['user_id', 'valid_to'],
    });
    expect(read.version).toBe(1);
    expect(read.schema.map((f) => f.name)).toEqual([
      'user_id',
      'username',
      'valid_from',
      'is_current',
      'valid_to',
    ]);
    expect(read.num_rows).toBe(100);
  });

  it('fails clearly on a broken LAKE_URI and records the failure', async () => {
    const file = path.join(env.lakeDir, 'not-a-directory');
    writeFileSync(file, 'x');
    const error = await runLakeExport(options({ lakeUri: path.join(file, 'lake') })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LakeStorageError);
    expect((error as Error).message).toMatch(/ENOTDIR/);
    const { rows } = await env.pool.query(
      `SELECT status, error FROM commerce.job_runs ORDER BY started_at DESC LIMIT 1`,
    );
    expect(rows[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/lake storage: cannot .* ENOTDIR/),
    });
  });

  it('a full disk mid-run leaves the previous version readable, and the next run writes each event once', async () => {
    await env.produce(1500);
    const good = new LocalObjectStore(env.lakeDir);
    let written = 0;
    const full: ObjectStore = {
      ...good,
      description: good.description,
      get: (k) => good.get(k),
      put: (k, d) => good.put(k, d),
      putIfAbsent: (k, d) => good.putIfAbsent(k, d),
      list: (p) => good.list(p),
      delete: (k) => good.delete(k),
      uriOf: (k) => good.uriOf(k),
      upload: async (key) => {
        const upload = await good.upload(key);
        return {
          ...upload,
          write: async (chunk) => {
            written += chunk.length;
            if (written > 2_000) {
              const cause = Object.assign(new Error('ENOSPC: no space left on device, write'), {
                code: 'ENOSPC',
              });
              throw new LakeStorageError('write', key, cause);
            }
            await upload.write(chunk);
          },
        };
      },
    };
    const before = await readWithDeltaRs(env.python, tableUri('clicks'));
    const error = await runLakeExport(options({ store: full, writer: { chunkRows: 200 } })).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/ENOSPC \(no space left on device\)/);
    const after = await readWithDeltaRs(env.python, tableUri('clicks'));
    expect([after.version, after.num_rows]).toEqual([before.version, before.num_rows]);

    await runLakeExport(options());
    const clicks = await readWithDeltaRs(env.python, tableUri('clicks'), { columns: ['click_id'] });
    expect(sorted(clicks.rows!.map((r) => r[0] as string))).toEqual(sorted(env.expected.clickIds));
    const dead = await readWithDeltaRs(env.python, tableUri('dead_letters'));
    expect(dead.num_rows).toBe(env.expected.deadLetters);
  });
});

// Against the real PostgreSQL (DATABASE_URL): the offline migrator writes Prisma's history rows,
// is idempotent, refuses edited migrations, and the hand-written SQL agrees with schema.prisma
// (Prisma Client writes and reads every field of every model; the tables have exactly the
// columns, types and indexes the schema implies). Also the users NOTIFY trigger.
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { createPrisma, type PrismaClient } from './client.ts';
import { defaultMigrationsDir, MigrationError, migrateDatabase } from './migrate.ts';
import {
  createTestDatabase,
  dropTestDatabase,
  TEST_DATABASE_PREFIX,
  withDatabaseName,
  type TestDatabase,
} from '../../test/db/test-database.ts';

const baseUrl = loadConfig().DATABASE_URL;
// The migration directories, listed here independently of lib/db/migration-files.ts.
const MIGRATIONS = readdirSync(defaultMigrationsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const FIRST = MIGRATIONS[0]!;

async function query<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** An empty database (no migrations), dropped by the returned function. */
async function createEmptyDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${TEST_DATABASE_PREFIX}${Math.random().toString(36).slice(2, 10)}`;
  await query(baseUrl, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  return { url: withDatabaseName(baseUrl, name), drop: () => dropTestDatabase(baseUrl, name) };
}

interface HistoryRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

const history = (url: string) =>
  query<HistoryRow>(url, 'SELECT * FROM public._prisma_migrations ORDER BY started_at');

describe('migrateDatabase', () => {
  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    db = await createEmptyDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('applies every migration to an empty database and records it as Prisma does', async () => {
    const result = await migrateDatabase(db.url);
    expect(result).toEqual({ applied: MIGRATIONS, alreadyApplied: [] });

    const rows = await history(db.url);
    expect(rows.map((row) => row.migration_name)).toEqual(MIGRATIONS);
    for (const row of rows) {
      // Computed here from the raw bytes, independently of lib/db/migration-files.ts.
      const file = path.join(defaultMigrationsDir, row.migration_name, 'migration.sql');
      expect(row.checksum).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
      expect(row.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
  });

  it('creates _prisma_migrations with the DDL of prisma-engines', async () => {
    const columns = await query<{
      column_name: string;
      type: string;
      not_null: boolean;
      default: string | null;
    }>(
      db.url,
      `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
              a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = 'public._prisma_migrations'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
    );
    expect(columns).toEqual([
      { column_name: 'id', type: 'character varying(36)', not_null: true, default: null },
      { column_name: 'checksum', type: 'character varying(64)', not_null: true, default: null },
      {
        column_name: 'finished_at',
        type: 'timestamp with time zone',
        not_null: false,
        default: null,
      },
      {
        column_name: 'migration_name',
        type: 'character varying(255)',
        not_null: true,
        default: null,
      },
      { column_name: 'logs', type: 'text', not_null: false, default: null },
      {
        column_name: 'rolled_back_at',
        type: 'timestamp with time zone',
        not_null: false,
        default: null,
      },
      {
        column_name: 'started_at',
        type: 'timestamp with time zone',
        not_null: true,
        default: 'now()',
      },
      { column_name: 'applied_steps_count', type: 'integer', not_null: true, default: '0' },
    ]);
    const pk = await query<{ def: string }>(
      db.url,
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid = 'public._prisma_migrations'::regclass AND contype = 'p'`,
    );
    expect(pk).toEqual([{ def: 'PRIMARY KEY (id)' }]);
  });

  it('is a no-op the second time', async () => {
    const before = await history(db.url);
    const result = await migrateDatabase(db.url);
    expect(result).toEqual({ applied: [], alreadyApplied: MIGRATIONS });
    expect(await history(db.url)).toEqual(before);
  });

  it('refuses to run when an applied migration no longer matches its checksum', async () => {
    const [row] = await history(db.url);
    const tampered = createHash('sha256').update('something else').digest('hex');
    await query(db.url, 'UPDATE public._prisma_migrations SET checksum = $1 WHERE id = $2', [
      tampered,
      row!.id,
    ]);
    try {
      const refusal = await migrateDatabase(db.url).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(MigrationError);
      expect((refusal as Error).message).toMatch(
        new RegExp(`${FIRST} was modified after it was applied.*${tampered}`),
      );
      expect(await history(db.url)).toHaveLength(MIGRATIONS.length);
    } finally {
      await query(db.url, 'UPDATE public._prisma_migrations SET checksum = $1 WHERE id = $2', [
        row!.checksum,
        row!.id,
      ]);
    }
    expect((await migrateDatabase(db.url)).applied).toEqual([]);
  });

  it('refuses to run over a migration that started but did not finish', async () => {
    await query(
      db.url,
      `INSERT INTO public._prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ('00000000-0000-4000-8000-000000000000', 'x', '20990101000000_failed', now(), 0)`,
    );
    try {
      await expect(migrateDatabase(db.url)).rejects.toThrow(
        /20990101000000_failed started but did not finish/,
      );
    } finally {
      await query(
        db.url,
        `DELETE FROM public._prisma_migrations WHERE migration_name = '20990101000000_failed'`,
      );
    }
  });
});

describe('migrateDatabase with a scratch migrations directory', () => {
  let dir: string;
  let db: { url: string; drop: () => Promise<void> } | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clickstream-migrations-'));
    cpSync(defaultMigrationsDir, dir, { recursive: true });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('rolls a failing migration back entirely and records nothing for it', async () => {
    db = await createEmptyDatabase();
    const broken = '29991231000000_broken'; // sorts after every real migration
    mkdirSync(path.join(dir, broken));
    writeFileSync(
      path.join(dir, broken, 'migration.sql'),
      'CREATE TABLE commerce.half_done (id int);\nSELECT no_such_function();\n',
    );
    await expect(migrateDatabase(db.url, { migrationsDir: dir })).rejects.toThrow(
      new RegExp(`${broken} failed and was rolled back: .*no_such_function`),
    );
    expect((await history(db.url)).map((r) => r.migration_name)).toEqual(MIGRATIONS);
    const leftover = await query(db.url, "SELECT to_regclass('commerce.half_done') AS t");
    expect(leftover).toEqual([{ t: null }]);
  });

  it('lets concurrent runs race without applying anything twice', async () => {
    const fresh = await createEmptyDatabase();
    try {
      const runs = await Promise.all([1, 2, 3].map(() => migrateDatabase(fresh.url)));
      expect(runs.flatMap((r) => r.applied)).toEqual(MIGRATIONS);
      expect((await history(fresh.url)).map((r) => r.migration_name)).toEqual(MIGRATIONS);
    } finally {
      await fresh.drop();
    }
  });
});

describe('the migration SQL agrees with schema.prisma', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await createTestDatabase(baseUrl);
    prisma = createPrisma(db.url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  // Column name → type, NOT NULL, default: what schema.prisma implies for PostgreSQL.
  const expectedTables: Record<string, Array<[string, string, boolean, string | null]>> = {
    users: [
      ['id', 'integer', true, null],
      ['username', 'text', true, null],
      ['password', 'text', false, null],
      ['created_at', 'timestamp(3) with time zone', true, 'CURRENT_TIMESTAMP'],
      ['updated_at', 'timestamp(3) with time zone', true, 'CURRENT_TIMESTAMP'],
    ],
    products: [
      ['id', 'integer', true, null],
      ['name', 'text', true, null],
      ['description', 'text', false, null],
      ['price', 'numeric(10,2)', false, null],
    ],
    attributed_checkouts: [
      ['checkout_id', 'text', true, null],
      ['user_id', 'bigint', true, null],
      ['user_name', 'text', true, null],
      ['click_id', 'text', false, null],
      ['product_id', 'text', true, null],
      ['payment_method', 'text', true, null],
      ['total_amount', 'numeric(38,2)', true, null],
      ['shipping_address', 'text', true, null],
      ['billing_address', 'text', true, null],
      ['user_agent', 'text', true, null],
      ['ip_address', 'text', true, null],
      ['checkout_time', 'timestamp(3) with time zone', true, null],
      ['click_time', 'timestamp(3) with time zone', false, null],
      ['is_final', 'boolean', true, null],
      ['is_unknown_user', 'boolean', true, null],
      ['is_late', 'boolean', true, 'false'],
      ['partition', 'integer', true, null],
      ['processed_at', 'timestamp(3) with time zone', true, null],
      ['first_written_at', 'timestamp(3) with time zone', true, null],
      ['click_channel', 'text', false, null],
      ['click_campaign', 'text', false, null],
    ],
    attribution_credits: [
      ['checkout_id', 'text', true, null],
      ['user_id', 'bigint', true, null],
      ['click_id', 'text', true, null],
      ['model', 'text', true, null],
      ['weight', 'numeric(38,10)', true, null],
      ['credited_amount', 'numeric(38,2)', true, null],
      ['click_time', 'timestamp(3) with time zone', true, null],
      ['channel', 'text', true, null],
      ['campaign', 'text', false, null],
      ['product_id', 'text', true, null],
      ['checkout_date', 'date', true, null],
    ],
    attribution_by_channel: [
      ['id', 'bigint', true, "nextval('commerce.attribution_by_channel_id_seq'::regclass)"],
      ['model', 'text', true, null],
      ['checkout_date', 'date', true, null],
      ['channel', 'text', true, null],
      ['campaign', 'text', false, null],
      ['credited_amount', 'numeric(38,2)', true, null],
      ['conversions', 'numeric(38,10)', true, null],
      ['checkouts', 'integer', true, null],
      ['clicks', 'integer', true, null],
    ],
    dead_letters: [
      ['id', 'bigint', true, "nextval('commerce.dead_letters_id_seq'::regclass)"],
      ['topic', 'text', true, null],
      ['partition', 'integer', true, null],
      ['offset', 'bigint', true, null],
      ['raw', 'bytea', true, null],
      ['reason', 'text', true, null],
      ['received_at', 'timestamp(3) with time zone', true, 'CURRENT_TIMESTAMP'],
    ],
    speed_snapshots: [
      ['partition', 'integer', true, null],
      ['state', 'bytea', true, null],
      ['offsets', 'jsonb', true, null],
      ['watermark_ms', 'bigint', false, null],
      ['taken_at', 'timestamp(3) with time zone', true, null],
      ['size_bytes', 'integer', true, null],
      ['pipeline', 'text', true, null],
      ['chain', 'text', true, "''::text"],
      ['seq', 'bigint', true, '0'],
    ],
    speed_snapshot_deltas: [
      ['pipeline', 'text', true, null],
      ['partition', 'integer', true, null],
      ['chain', 'text', true, null],
      ['seq', 'bigint', true, null],
      ['state', 'bytea', true, null],
      ['offsets', 'jsonb', true, null],
      ['watermark_ms', 'bigint', false, null],
      ['taken_at', 'timestamp(3) with time zone', true, null],
      ['size_bytes', 'integer', true, null],
    ],
    job_runs: [
      ['id', 'uuid', true, 'gen_random_uuid()'],
      ['kind', 'text', true, null],
      ['status', 'text', true, null],
      ['started_at', 'timestamp(3) with time zone', true, 'CURRENT_TIMESTAMP'],
      ['finished_at', 'timestamp(3) with time zone', false, null],
      ['progress', 'jsonb', false, null],
      ['result', 'jsonb', false, null],
      ['error', 'text', false, null],
      ['heartbeat_at', 'timestamp(3) with time zone', false, null],
      ['claimed_by', 'text', false, null],
      ['attempts', 'integer', true, '0'],
      ['scheduled_for', 'timestamp(3) with time zone', false, null],
    ],
    web_sessions: [
      ['id', 'uuid', true, 'gen_random_uuid()'],
      ['secret_hash', 'text', true, null],
      ['token_epoch', 'text', true, null],
      ['created_at', 'timestamp(3) with time zone', true, 'CURRENT_TIMESTAMP'],
      ['last_seen_at', 'timestamp(3) with time zone', true, 'CURRENT_TIMESTAMP'],
      ['expires_at', 'timestamp(3) with time zone', true, null],
      ['client_address', 'text', true, null],
      ['user_agent', 'text', true, null],
    ],
  };

  // One scalar-field enum per model: the fields Prisma Client selects by default.
  const modelFields: Record<string, string[]> = {
    users: Object.values(Prisma.UserScalarFieldEnum),
    products: Object.values(Prisma.ProductScalarFieldEnum),
    attributed_checkouts: Object.values(Prisma.AttributedCheckoutScalarFieldEnum),
    attribution_credits: Object.values(Prisma.AttributionCreditScalarFieldEnum),
    attribution_by_channel: Object.values(Prisma.AttributionByChannelScalarFieldEnum),
    dead_letters: Object.values(Prisma.DeadLetterScalarFieldEnum),
    speed_snapshots: Object.values(Prisma.SpeedSnapshotScalarFieldEnum),
    speed_snapshot_deltas: Object.values(Prisma.SpeedSnapshotDeltaScalarFieldEnum),
    job_runs: Object.values(Prisma.JobRunScalarFieldEnum),
    web_sessions: Object.values(Prisma.WebSessionScalarFieldEnum),
  };

  it('has exactly the tables of the schema in `commerce`, one column per model field', async () => {
    const tables = await query<{ tablename: string }>(
      db.url,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'commerce' ORDER BY tablename",
    );
    expect(tables.map((t) => t.tablename)).toEqual(Object.keys(expectedTables).sort());
    for (const [table, columns] of Object.entries(expectedTables)) {
      const actual = await query<{
        name: string;
        type: string;
        not_null: boolean;
        default: string | null;
      }>(
        db.url,
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
                pg_get_expr(d.adbin, d.adrelid) AS default
           FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [`commerce.${table}`],
      );
      expect(
        actual.map((c) => [c.name, c.type, c.not_null, c.default]),
        table,
      ).toEqual(columns);
      expect(actual, `${table}: one column per field of its model`).toHaveLength(
        modelFields[table]!.length,
      );
    }
  });

  it('has the indexes the schema declares, with Prisma default names', async () => {
    const indexes = await query<{ indexname: string; indexdef: string }>(
      db.url,
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'commerce' ORDER BY indexname",
    );
    const on = (table: string, rest: string, method = 'btree') =>
      `ON commerce.${table} USING ${method} ${rest}`;
    expect(
      indexes.map((i) => [i.indexname, i.indexdef.replace(/^CREATE (UNIQUE )?INDEX \S+ /, '$1')]),
    ).toEqual([
      [
        'attributed_checkouts_checkout_time_checkout_id_idx',
        on('attributed_checkouts', '(checkout_time DESC, checkout_id DESC)'),
      ],
      ['attributed_checkouts_pkey', `UNIQUE ${on('attributed_checkouts', '(checkout_id)')}`],
      [
        'attributed_checkouts_product_id_checkout_time_idx',
        on('attributed_checkouts', '(product_id, checkout_time)'),
      ],
      [
        'attributed_checkouts_user_id_checkout_time_idx',
        on('attributed_checkouts', '(user_id, checkout_time)'),
      ],
      // Migration only (NULLS NOT DISTINCT is not expressible in schema.prisma).
      [
        'attribution_by_channel_grain_key',
        `UNIQUE ${on('attribution_by_channel', '(model, checkout_date, channel, campaign) NULLS NOT DISTINCT')}`,
      ],
      ['attribution_by_channel_pkey', `UNIQUE ${on('attribution_by_channel', '(id)')}`],
      [
        'attribution_credits_model_checkout_date_idx',
        on('attribution_credits', '(model, checkout_date)'),
      ],
      [
        'attribution_credits_pkey',
        `UNIQUE ${on('attribution_credits', '(checkout_id, user_id, model, click_id)')}`,
      ],
      ['dead_letters_pkey', `UNIQUE ${on('dead_letters', '(id)')}`],
      [
        'dead_letters_raw_trgm_idx',
        on(
          'dead_letters',
          "(encode(SUBSTRING(raw FROM 1 FOR 4096), 'escape'::text) gin_trgm_ops)",
          'gin',
        ),
      ],
      ['dead_letters_reason_trgm_idx', on('dead_letters', '(reason gin_trgm_ops)', 'gin')],
      ['dead_letters_received_at_idx', on('dead_letters', '(received_at)')],
      [
        'dead_letters_topic_partition_offset_key',
        `UNIQUE ${on('dead_letters', '(topic, partition, "offset")')}`,
      ],
      ['job_runs_kind_scheduled_for_key', `UNIQUE ${on('job_runs', '(kind, scheduled_for)')}`],
      ['job_runs_kind_started_at_idx', on('job_runs', '(kind, started_at DESC)')],
      // Migration only (not expressible in schema.prisma): one queued or running run per kind.
      [
        'job_runs_one_active_per_kind',
        `UNIQUE ${on('job_runs', "(kind) WHERE (status = ANY (ARRAY['queued'::text, 'running'::text]))")}`,
      ],
      ['job_runs_pkey', `UNIQUE ${on('job_runs', '(id)')}`],
      ['products_pkey', `UNIQUE ${on('products', '(id)')}`],
      [
        'speed_snapshot_deltas_pkey',
        `UNIQUE ${on('speed_snapshot_deltas', '(pipeline, partition, chain, seq)')}`,
      ],
      ['speed_snapshots_pkey', `UNIQUE ${on('speed_snapshots', '(pipeline, partition)')}`],
      ['users_pkey', `UNIQUE ${on('users', '(id)')}`],
      ['web_sessions_expires_at_idx', on('web_sessions', '(expires_at)')],
      ['web_sessions_pkey', `UNIQUE ${on('web_sessions', '(id)')}`],
      ['web_sessions_secret_hash_key', `UNIQUE ${on('web_sessions', '(secret_hash)')}`],
    ]);
  });

  // Migration only (not expressible in schema.prisma): room on each page for the sink's HOT updates.
  it('keeps 15% of attributed_checkouts pages free and the other tables at the default', async () => {
    const options = await query<{ relname: string; reloptions: string[] | null }>(
      db.url,
      `SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'commerce' AND c.relkind = 'r' AND c.reloptions IS NOT NULL`,
    );
    expect(options).toEqual([{ relname: 'attributed_checkouts', reloptions: ['fillfactor=85'] }]);
  });

  // Migration only: snapshot states are stored uncompressed (pglz cost the server 3x the CPU).
  it('stores the snapshot states out of line without compression, other columns as declared', async () => {
    const external = await query<{ table: string; column: string }>(
      db.url,
      `SELECT c.relname AS table, a.attname AS column FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'commerce' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attstorage <> (SELECT typstorage FROM pg_type WHERE oid = a.atttypid)
        ORDER BY 1, 2`,
    );
    expect(external).toEqual([
      { table: 'speed_snapshot_deltas', column: 'state' },
      { table: 'speed_snapshots', column: 'state' },
    ]);
  });

  it('writes and reads every field of User (id 0, defaults, nullable password)', async () => {
    const written = await prisma.user.create({
      data: { id: 0, username: 'user0', password: 'secret' },
    });
    await prisma.user.create({ data: { id: 1, username: 'user1' } });
    const read = await prisma.user.findUniqueOrThrow({ where: { id: 0 } });
    expect(Object.keys(read).sort()).toEqual([...modelFields.users!].sort());
    expect(read).toEqual(written);
    expect(read.createdAt).toBeInstanceOf(Date);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: 1 } })).password).toBeNull();
    const updated = await prisma.user.update({ where: { id: 0 }, data: { username: 'renamed' } });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(written.updatedAt.getTime());
  });

  it('writes and reads every field of Product (decimal price, nulls)', async () => {
    await prisma.product.createMany({
      data: [
        { id: 7, name: 'Lamp', description: 'A lamp', price: new Prisma.Decimal('19.99') },
        { id: 8, name: 'Mystery' },
      ],
    });
    const [lamp, mystery] = await prisma.product.findMany({ orderBy: { id: 'asc' } });
    expect(Object.keys(lamp!).sort()).toEqual([...modelFields.products!].sort());
    expect(lamp!.price?.toString()).toBe('19.99');
    expect(lamp!.description).toBe('A lamp');
    expect(mystery).toEqual({ id: 8, name: 'Mystery', description: null, price: null });
  });

  it('writes and reads every field of AttributedCheckout', async () => {
    const data = {
      checkoutId: 'co-1',
      userId: 5_000_000_000n, // beyond 32 bits
      userName: '',
      clickId: 'cl-1',
      productId: 'p-9',
      paymentMethod: 'card',
      totalAmount: new Prisma.Decimal('123456789012.34'),
      shippingAddress: '1 Ship St',
      billingAddress: '2 Bill Rd',
      userAgent: 'Mozilla/5.0',
      ipAddress: '10.0.0.1',
      checkoutTime: new Date('2026-11-24T11:00:00.123Z'),
      clickTime: new Date('2026-11-24T10:00:00.001Z'),
      isFinal: true,
      isUnknownUser: true,
      isLate: true,
      partition: 5,
      processedAt: new Date('2026-11-24T11:00:01.500Z'),
      firstWrittenAt: new Date('2026-11-24T11:00:01.000Z'),
      clickChannel: 'paid_search',
      clickCampaign: 'Spring_Sale',
    };
    await prisma.attributedCheckout.create({ data });
    const read = await prisma.attributedCheckout.findUniqueOrThrow({
      where: { checkoutId: 'co-1' },
    });
    expect(Object.keys(read).sort()).toEqual([...modelFields.attributed_checkouts!].sort());
    expect({ ...read, totalAmount: read.totalAmount.toString() }).toEqual({
      ...data,
      totalAmount: '123456789012.34',
    });

    const unattributed = await prisma.attributedCheckout.create({
      data: {
        ...data,
        checkoutId: 'co-2',
        clickId: null,
        clickTime: null,
        isLate: undefined,
        clickChannel: undefined,
        clickCampaign: undefined,
      },
    });
    expect(unattributed).toMatchObject({
      clickId: null,
      clickTime: null,
      isLate: false,
      clickChannel: null,
      clickCampaign: null,
    });
  });

  it('writes and reads every field of AttributionCredit (fractional weight, exact amount)', async () => {
    const data = {
      checkoutId: 'co-1',
      userId: 5_000_000_000n,
      clickId: 'cl-1',
      model: 'time_decay',
      weight: new Prisma.Decimal('0.3333333333'),
      creditedAmount: new Prisma.Decimal('12345678901234567890123456789012345.67'),
      clickTime: new Date('2026-11-24T10:00:00.001Z'),
      channel: 'email',
      campaign: null,
      productId: 'p-9',
      checkoutDate: new Date('2026-11-24T00:00:00.000Z'),
    };
    await prisma.attributionCredit.create({ data });
    const read = await prisma.attributionCredit.findUniqueOrThrow({
      where: {
        checkoutId_userId_model_clickId: {
          checkoutId: 'co-1',
          userId: 5_000_000_000n,
          model: 'time_decay',
          clickId: 'cl-1',
        },
      },
    });
    expect(Object.keys(read).sort()).toEqual([...modelFields.attribution_credits!].sort());
    expect({
      ...read,
      weight: read.weight.toString(),
      creditedAmount: read.creditedAmount.toFixed(2),
    }).toEqual({
      ...data,
      weight: '0.3333333333',
      creditedAmount: '12345678901234567890123456789012345.67',
    });
  });

  it('writes and reads every field of AttributionByChannel (one row per grain, null campaign included)', async () => {
    const data = {
      model: 'linear',
      checkoutDate: new Date('2026-11-24T00:00:00.000Z'),
      channel: 'direct',
      campaign: null,
      creditedAmount: new Prisma.Decimal('10.01'),
      conversions: new Prisma.Decimal('1.5'),
      checkouts: 2,
      clicks: 3,
    };
    const written = await prisma.attributionByChannel.create({ data });
    const read = await prisma.attributionByChannel.findUniqueOrThrow({ where: { id: written.id } });
    expect(Object.keys(read).sort()).toEqual([...modelFields.attribution_by_channel!].sort());
    expect(read).toEqual(written);
    await expect(prisma.attributionByChannel.create({ data })).rejects.toMatchObject({
      code: 'P2002',
    });
    await prisma.attributionByChannel.create({ data: { ...data, campaign: 'spring' } });
  });

  it('writes and reads every field of DeadLetter (bigint, raw bytes, unique offset)', async () => {
    const raw = Uint8Array.from([0x00, 0xff, 0x80, 0x7b]);
    const offset = 9_007_199_254_740_993n; // beyond Number.MAX_SAFE_INTEGER
    const written = await prisma.deadLetter.create({
      data: { topic: 'clicks', partition: 3, offset, raw, reason: 'invalid JSON' },
    });
    expect(typeof written.id).toBe('bigint');
    const read = await prisma.deadLetter.findUniqueOrThrow({
      where: { topic_partition_offset: { topic: 'clicks', partition: 3, offset } },
    });
    expect(Object.keys(read).sort()).toEqual([...modelFields.dead_letters!].sort());
    expect(read.offset).toBe(offset);
    expect(Buffer.from(read.raw).equals(Buffer.from(raw))).toBe(true);
    expect(read.receivedAt).toBeInstanceOf(Date);
    await expect(
      prisma.deadLetter.create({
        data: { topic: 'clicks', partition: 3, offset, raw, reason: 'again' },
      }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  it('writes and reads every field of SpeedSnapshot (bytes, JSON offsets, bigint watermark)', async () => {
    const data = {
      pipeline: 'clickstream-attributor',
      partition: 2,
      state: Uint8Array.from([1, 2, 3, 250]),
      offsets: { 'clicks-by-user': '42', 'checkouts-by-user': '7' },
      watermarkMs: 1_795_000_000_123n,
      takenAt: new Date('2026-11-24T12:00:00.999Z'),
      sizeBytes: 4,
      chain: 'c0ffee',
      seq: 0n,
    };
    await prisma.speedSnapshot.create({ data });
    await prisma.speedSnapshot.create({ data: { ...data, partition: 3, watermarkMs: null } });
    // Same partition, another pipeline: its own row.
    await prisma.speedSnapshot.create({ data: { ...data, pipeline: 'other-group' } });
    const key = (pipeline: string, partition: number) => ({
      where: { pipeline_partition: { pipeline, partition } },
    });
    const read = await prisma.speedSnapshot.findUniqueOrThrow(key('clickstream-attributor', 2));
    expect(Object.keys(read).sort()).toEqual([...modelFields.speed_snapshots!].sort());
    expect({ ...read, state: [...read.state] }).toEqual({ ...data, state: [1, 2, 3, 250] });
    expect(
      (await prisma.speedSnapshot.findUniqueOrThrow(key('clickstream-attributor', 3))).watermarkMs,
    ).toBeNull();
  });

  it('writes and reads every field of JobRun (database-generated uuid, JSON, nulls)', async () => {
    const started = await prisma.jobRun.create({
      data: { kind: 'lake_export', status: 'running' },
    });
    expect(started.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(started).toMatchObject({ finishedAt: null, progress: null, result: null, error: null });
    const finished = await prisma.jobRun.update({
      where: { id: started.id },
      data: {
        status: 'failed',
        finishedAt: new Date('2026-11-24T13:00:00.250Z'),
        progress: { done: 3, total: 4 },
        result: { files: ['a.parquet'] },
        error: 'disk full',
      },
    });
    const read = await prisma.jobRun.findUniqueOrThrow({ where: { id: started.id } });
    expect(Object.keys(read).sort()).toEqual([...modelFields.job_runs!].sort());
    expect(read).toEqual(finished);
    expect(read.progress).toEqual({ done: 3, total: 4 });
    // The (kind, started_at DESC) index serves this query shape.
    const latest = await prisma.jobRun.findFirst({
      where: { kind: 'lake_export' },
      orderBy: { startedAt: 'desc' },
    });
    expect(latest?.id).toBe(started.id);
  });

  it('writes and reads every field of WebSession (uuid, unique secret hash)', async () => {
    const data = {
      secretHash: 'a'.repeat(64),
      tokenEpoch: 'epoch-1',
      expiresAt: new Date('2026-11-24T23:00:00.000Z'),
      clientAddress: '127.0.0.1',
      userAgent: 'Mozilla/5.0',
    };
    const written = await prisma.webSession.create({ data });
    const read = await prisma.webSession.findUniqueOrThrow({
      where: { secretHash: data.secretHash },
    });
    expect(Object.keys(read).sort()).toEqual([...modelFields.web_sessions!].sort());
    expect(read).toEqual(written);
    expect(read.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(read.lastSeenAt).toBeInstanceOf(Date);
    await expect(prisma.webSession.create({ data })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('sends NOTIFY clickstream_users with the id on insert, update and delete of a user', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    try {
      const payloads: string[] = [];
      let wake = () => {};
      listener.on('notification', (message) => {
        if (message.channel === 'clickstream_users') payloads.push(message.payload ?? '');
        wake();
      });
      await listener.query('LISTEN clickstream_users');
      const waitFor = async (count: number) => {
        const deadline = Date.now() + 5_000;
        while (payloads.length < count && Date.now() < deadline) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 100);
          });
        }
      };

      await prisma.user.create({ data: { id: 4242, username: 'listener-test' } });
      await waitFor(1);
      expect(payloads).toEqual(['4242']);
      await prisma.user.update({ where: { id: 4242 }, data: { username: 'changed' } });
      await prisma.user.delete({ where: { id: 4242 } });
      await waitFor(3);
      expect(payloads).toEqual(['4242', '4242', '4242']);
    } finally {
      await listener.end();
    }
  });
});

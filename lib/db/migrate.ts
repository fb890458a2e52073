// The offline migrator: applies prisma/migrations/*/migration.sql in order and records each in
// `_prisma_migrations` exactly as Prisma's schema engine does (same table, same checksum), so
// `prisma migrate deploy`/`status` agree with it wherever the Prisma engine can be downloaded.
// Prisma 7's CLI needs a native schema engine fetched from the internet for every migrate
// command; this needs only `pg`.
//
// Invariants: one migration = one transaction (its SQL and its history row commit together, so
// there is never a half-applied migration; migrations must therefore be transaction-safe, e.g. no
// CREATE INDEX CONCURRENTLY); an applied migration whose file has changed stops everything before
// anything runs; concurrent runs serialise on Prisma's own advisory lock.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../config.ts';
import { checksumMatches, readMigrationFiles, type MigrationFile } from './migration-files.ts';

export const defaultMigrationsDir = path.join(projectRoot, 'prisma', 'migrations');

/** The key prisma-engines' PostgreSQL connector locks, so we also exclude a concurrent `prisma migrate`. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** The DDL of prisma-engines' PostgreSQL `create_migrations_table`, schema-qualified. */
const migrationsTableDdl = (table: string) => `CREATE TABLE IF NOT EXISTS ${table} (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface MigrateOptions {
  migrationsDir?: string;
  log?: (message: string) => void;
  /** How long to wait for another migrator holding the lock. Default 60 s. */
  lockTimeoutMs?: number;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * The schema Prisma keeps `_prisma_migrations` in: the URL's `schema` parameter, else `public`
 * (with multiSchema too: the `schemas` list does not move it).
 */
export function migrationsSchemaOf(databaseUrl: string): string {
  return new URL(databaseUrl).searchParams.get('schema') || 'public';
}

async function acquireLock(client: pg.Client, timeoutMs: number, log: (m: string) => void) {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [PRISMA_MIGRATE_LOCK_KEY],
    );
    if (rows[0]?.locked) return;
    if (Date.now() >= deadline) {
      throw new MigrationError(
        `another migration run holds advisory lock ${PRISMA_MIGRATE_LOCK_KEY} (waited ${timeoutMs} ms)`,
      );
    }
    if (!told) log('waiting for another migration run to finish…');
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Refuses failed or edited migrations before anything runs; returns the names already applied. */
function checkHistory(files: MigrationFile[], history: HistoryRow[], log: (m: string) => void) {
  const failed = history.filter((row) => row.finished_at === null);
  if (failed.length > 0) {
    throw new MigrationError(
      `migration(s) ${failed.map((r) => r.migration_name).join(', ')} started but did not finish ` +
        '(a failed `prisma migrate deploy`?): fix the database by hand, then run ' +
        '`prisma migrate resolve --rolled-back <name>` or delete that row from _prisma_migrations',
    );
  }
  const byName = new Map(files.map((file) => [file.name, file]));
  const applied = new Set<string>();
  for (const row of history) {
    const file = byName.get(row.migration_name);
    if (!file) {
      log(
        `warning: migration ${row.migration_name} is applied but not in the migrations directory`,
      );
      continue;
    }
    if (!checksumMatches(file.sql, row.checksum)) {
      throw new MigrationError(
        `migration ${row.migration_name} was modified after it was applied ` +
          `(recorded checksum ${row.checksum}, file now ${file.checksum}): ` +
          'restore the file and add a new migration for the change',
      );
    }
    applied.add(row.migration_name);
  }
  return applied;
}

async function applyOne(client: pg.Client, table: string, file: MigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    // now() is the transaction start: Prisma's started_at. finished_at is the wall clock at the end.
    await client.query(file.sql);
    await client.query(
      `INSERT INTO ${table}
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, now(), 1)`,
      [randomUUID(), file.checksum, file.name],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`migration ${file.name} failed and was rolled back: ${reason}`);
  }
}

/** Applies the pending migrations to `databaseUrl`. Running it again is a no-op. */
export async function migrateDatabase(
  databaseUrl: string,
  {
    migrationsDir = defaultMigrationsDir,
    log = () => {},
    lockTimeoutMs = 60_000,
  }: MigrateOptions = {},
): Promise<MigrateResult> {
  const files = readMigrationFiles(migrationsDir);
  const schema = migrationsSchemaOf(databaseUrl);
  const table = `${pg.escapeIdentifier(schema)}."_prisma_migrations"`;
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: 'clickstream-migrate',
  });
  await client.connect();
  try {
    // Session-level: held across the per-migration transactions, released by unlock or disconnect.
    await acquireLock(client, lockTimeoutMs, log);
    if (schema !== 'public')
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
    await client.query(migrationsTableDdl(table));
    const { rows: history } = await client.query<HistoryRow>(
      `SELECT migration_name, checksum, finished_at FROM ${table}
        WHERE rolled_back_at IS NULL ORDER BY started_at`,
    );
    const alreadyApplied = checkHistory(files, history, log);

    const applied: string[] = [];
    for (const file of files) {
      if (alreadyApplied.has(file.name)) continue;
      const started = Date.now();
      await applyOne(client, table, file);
      applied.push(file.name);
      log(`applied ${file.name} (${Date.now() - started} ms)`);
    }
    return {
      applied,
      alreadyApplied: files.filter((f) => alreadyApplied.has(f.name)).map((f) => f.name),
    };
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY])
      .catch(() => undefined);
    await client.end();
  }
}

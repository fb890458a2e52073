// Throw-away databases for integration tests: `createTestDatabase` makes a fresh, migrated
// `clickstream_test_<random>` beside the configured database. Invariant: nothing here drops or
// truncates a database whose name does not start with `clickstream_test_`.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateDatabase } from '../../lib/db/migrate.ts';

export const TEST_DATABASE_PREFIX = 'clickstream_test_';

export class NotATestDatabaseError extends Error {
  constructor(name: string) {
    super(
      `refusing to touch database "${name}": only databases named ${TEST_DATABASE_PREFIX}* are for tests`,
    );
    this.name = 'NotATestDatabaseError';
  }
}

/** Throws unless `name` is a test database name (prefix, then letters, digits or underscores). */
export function assertTestDatabaseName(name: string): void {
  if (!name.startsWith(TEST_DATABASE_PREFIX) || !/^[a-z0-9_]+$/.test(name)) {
    throw new NotATestDatabaseError(name);
  }
}

/** The database name in a postgresql:// URL. */
export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** `url` pointing at database `name` instead (user, password, host, parameters kept). */
export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'clickstream-test-db' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** SQLSTATEs of a DROP … WITH (FORCE) that met a session it may not end: wait, and again. */
const DROP_BLOCKED = new Set(['42501', '55006']);

/**
 * Drops test database `name` through `baseUrl`'s server, closing its remaining connections.
 * FORCE may not end every session: an autovacuum worker busy in the database, or a session of
 * a role the owner is no member of, makes it fail with 42501. Such sessions end by themselves
 * soon (autovacuum leaves a database being dropped), so the drop is retried for up to 15 s.
 */
export async function dropTestDatabase(
  baseUrl: string,
  name: string,
  { retryForMs = 15_000 } = {},
): Promise<void> {
  assertTestDatabaseName(name);
  const until = Date.now() + retryForMs;
  for (;;) {
    try {
      await withClient(baseUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
      );
      return;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!DROP_BLOCKED.has(code) || Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Empties every table of the given schemas (default `commerce`) in the test database at `url`.
 * Checks the name the server reports, not only the URL.
 */
export async function truncateTestDatabase(
  url: string,
  schemas: string[] = ['commerce'],
): Promise<void> {
  assertTestDatabaseName(databaseNameOf(url));
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
    assertTestDatabaseName(rows[0]?.name ?? '');
    const tables = await client.query<{ qualified: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS qualified
         FROM pg_tables WHERE schemaname = ANY($1::text[])`,
      [schemas],
    );
    if (tables.rows.length === 0) return;
    await client.query(
      `TRUNCATE ${tables.rows.map((t) => t.qualified).join(', ')} RESTART IDENTITY CASCADE`,
    );
  });
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database (safe to call twice). */
  drop(): Promise<void>;
}

/** Creates `clickstream_test_<random>` on `baseUrl`'s server and applies every migration. */
export async function createTestDatabase(baseUrl: string): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString('hex')}`;
  assertTestDatabaseName(name);
  await withClient(baseUrl, (client) =>
    client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`),
  );
  const url = withDatabaseName(baseUrl, name);
  const drop = () => dropTestDatabase(baseUrl, name);
  try {
    await migrateDatabase(url);
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  return { name, url, drop };
}

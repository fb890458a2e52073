// Dropping a test database while a session the owner may not end is still in it (as an
// autovacuum worker, or another role's login): DROP … WITH (FORCE) refuses with 42501, and the
// drop must wait for that session instead of failing a test's cleanup.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createTestDatabase, dropTestDatabase, withDatabaseName } from './test-database.ts';

const { DATABASE_URL, WEB_DATABASE_URL } = loadConfig();

async function ownerMayCreateRoles(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ manages: boolean }>(
      'SELECT rolsuper OR rolcreaterole AS manages FROM pg_roles WHERE rolname = current_user',
    );
    return rows[0]?.manages === true;
  } finally {
    await client.end();
  }
}

/** Another role's login: the web role's (stack:up and CI make it), else one made here. */
const mayCreateRoles = WEB_DATABASE_URL ? false : await ownerMayCreateRoles();
const testable = WEB_DATABASE_URL !== undefined || mayCreateRoles;

describe.skipIf(!testable)('dropTestDatabase', () => {
  it('waits for a session it may not end, and drops the database once it has gone', async () => {
    const db = await createTestDatabase(DATABASE_URL);
    const role = `clickstream_test_other_${randomBytes(4).toString('hex')}`;
    const owner = new pg.Client({ connectionString: DATABASE_URL });
    await owner.connect();
    try {
      let url: URL;
      if (WEB_DATABASE_URL) {
        url = new URL(withDatabaseName(WEB_DATABASE_URL, db.name));
      } else {
        const password = randomBytes(12).toString('base64url');
        await owner.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
        url = new URL(withDatabaseName(DATABASE_URL, db.name));
        url.username = role;
        url.password = password;
      }
      const other = new pg.Client({ connectionString: url.toString() });
      await other.connect();
      other.on('error', () => undefined);
      // Not ours to end: FORCE refuses while it is there.
      await expect(
        dropTestDatabase(DATABASE_URL, db.name, { retryForMs: 0 }),
      ).rejects.toMatchObject({ code: '42501' });
      setTimeout(() => void other.end(), 1_000);
      await dropTestDatabase(DATABASE_URL, db.name);
      const { rows } = await owner.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
      expect(rows).toEqual([]);
    } finally {
      await dropTestDatabase(DATABASE_URL, db.name).catch(() => undefined);
      if (mayCreateRoles) await owner.query(`DROP ROLE IF EXISTS ${role}`);
      await owner.end();
    }
  }, 30_000);
});

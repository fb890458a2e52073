// The web app's role against the real PostgreSQL (a fresh test database, the role `npm run
// stack:up` made): after the migrator's grants it can do what the web app does and nothing
// more. Each statement is tried as that role; `42501` is PostgreSQL's "permission denied".
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import {
  createTestDatabase,
  withDatabaseName,
  type TestDatabase,
} from '../../test/db/test-database.ts';
import { provisionWebRole, webRoleOf } from './web-role.ts';

const config = loadConfig();
const { DATABASE_URL } = config;
// The configured web login, or (DATABASE_URL from the environment, no web login given) one made
// here for the test: the grants are what is under test, and they must be tried on every run.
const WEB_DATABASE_URL = config.WEB_DATABASE_URL ?? testWebLogin(DATABASE_URL);
// Only a server whose owner may not create roles and no web login given leaves nothing to test.
const testable = Boolean(config.WEB_DATABASE_URL) || (await ownerManagesRoles(DATABASE_URL));

async function ownerManagesRoles(ownerUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: ownerUrl });
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

function testWebLogin(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  url.username = 'clickstream_web_test';
  url.password = randomBytes(12).toString('base64url');
  return url.toString();
}

describe.skipIf(!testable)('the web role (WEB_DATABASE_URL)', () => {
  let db: TestDatabase;
  let web: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE_URL);
    const webUrl = withDatabaseName(WEB_DATABASE_URL, db.name);
    await provisionWebRole(db.url, webUrl);
    const owner = new pg.Client({ connectionString: db.url });
    await owner.connect();
    await owner.query(
      `INSERT INTO commerce.users (id, username, password) VALUES (1, 'ada', 'secret');
       INSERT INTO commerce.attributed_checkouts (checkout_id, user_id, user_name, product_id,
         payment_method, total_amount, shipping_address, billing_address, user_agent, ip_address,
         checkout_time, is_final, is_unknown_user, partition, processed_at, first_written_at)
       VALUES ('c1', 1, 'ada', '1', 'card', 10, 'a', 'b', 'ua', '10.0.0.1', now(), true, false, 0,
               now(), now());`,
    );
    await owner.end();
    web = new pg.Client({ connectionString: webUrl });
    await web.connect();
  });

  afterAll(async () => {
    await web?.end();
    await db?.drop();
  });

  const denied = async (sql: string, params: unknown[] = []) => {
    const error = await web.query(sql, params).then(
      () => undefined,
      (e: unknown) => e,
    );
    return (error as { code?: string } | undefined)?.code;
  };

  it('logs in as its own role, which owns nothing and may create no database or role', async () => {
    const { rows } = await web.query<{
      user: string;
      super: boolean;
      createdb: boolean;
      createrole: boolean;
    }>(
      `SELECT current_user AS user, rolsuper AS super, rolcreatedb AS createdb,
              rolcreaterole AS createrole FROM pg_roles WHERE rolname = current_user`,
    );
    expect(rows[0]).toEqual({
      user: webRoleOf(WEB_DATABASE_URL).role,
      super: false,
      createdb: false,
      createrole: false,
    });
    expect(await denied('CREATE TABLE commerce.x (id int)')).toBe('42501');
    expect(await denied('CREATE DATABASE clickstream_test_never')).toBe('42501');
  });

  it('reads the sink, products, dead letters and user names, never passwords', async () => {
    expect((await web.query('SELECT * FROM commerce.attributed_checkouts')).rowCount).toBe(1);
    await web.query('SELECT id, username, updated_at FROM commerce.users');
    await web.query('SELECT count(*) FROM commerce.dead_letters');
    await web.query('SELECT count(*) FROM commerce.products');
    expect(await denied('SELECT password FROM commerce.users')).toBe('42501');
    expect(await denied('SELECT * FROM commerce.users')).toBe('42501');
    expect(await denied('SELECT * FROM commerce.speed_snapshots')).toBe('42501');
    expect(await denied('SELECT * FROM public._prisma_migrations')).toBe('42501');
  });

  it('cannot write the speed layer’s tables', async () => {
    expect(await denied(`UPDATE commerce.attributed_checkouts SET total_amount = 0`)).toBe('42501');
    expect(await denied(`DELETE FROM commerce.attributed_checkouts`)).toBe('42501');
    expect(
      await denied(
        `INSERT INTO commerce.dead_letters (topic, partition, "offset", raw, reason)
         VALUES ('x', 0, 0, '\\x00', 'r')`,
      ),
    ).toBe('42501');
    expect(await denied(`DELETE FROM commerce.speed_snapshots`)).toBe('42501');
    expect(await denied(`TRUNCATE commerce.job_runs`)).toBe('42501');
    expect(await denied(`DELETE FROM commerce.users`)).toBe('42501');
  });

  it('writes its own tables: sessions, queued job runs, and the simulator’s reference rows', async () => {
    await web.query(
      `INSERT INTO commerce.web_sessions (secret_hash, token_epoch, expires_at, client_address, user_agent)
       VALUES ('h', 'e', now() + interval '1 hour', '127.0.0.1', 'ua')`,
    );
    await web.query(`UPDATE commerce.web_sessions SET last_seen_at = now()`);
    await web.query(`DELETE FROM commerce.web_sessions`);
    // It queues a run (as lib/jobs/job-run-store.ts enqueues) and reads it; the jobs worker runs it.
    const run = await web.query<{ id: string }>(
      `INSERT INTO commerce.job_runs (kind, status, scheduled_for) VALUES ('models', 'queued', NULL)
       ON CONFLICT DO NOTHING RETURNING *`,
    );
    expect(run.rows).toHaveLength(1);
    expect(await denied(`UPDATE commerce.job_runs SET status = 'running'`)).toBe('42501');
    expect(await denied(`DELETE FROM commerce.job_runs`)).toBe('42501');
    // As lib/simulator/traffic.ts seeds and renames.
    await web.query(
      `INSERT INTO commerce.users (id, username, password) VALUES (2, 'bo', 'x') ON CONFLICT (id) DO NOTHING`,
    );
    await web.query(`UPDATE commerce.users SET username = 'bo_1' WHERE id = 2`);
    await web.query(
      `INSERT INTO commerce.products (id, name, description, price) VALUES (1, 'p', 'd', 1) ON CONFLICT (id) DO NOTHING`,
    );
    expect(await denied(`UPDATE commerce.users SET password = 'x' WHERE id = 1`)).toBe('42501');
  });

  it('loses a grant the list no longer has when the migrator runs again', async () => {
    const owner = new pg.Client({ connectionString: db.url });
    await owner.connect();
    try {
      const role = pg.escapeIdentifier(webRoleOf(WEB_DATABASE_URL).role);
      await owner.query(`GRANT SELECT ON commerce.speed_snapshots TO ${role}`);
      await owner.query(`GRANT SELECT (password) ON commerce.users TO ${role}`);
    } finally {
      await owner.end();
    }
    await provisionWebRole(db.url, withDatabaseName(WEB_DATABASE_URL, db.name));
    expect(await denied('SELECT * FROM commerce.speed_snapshots')).toBe('42501');
    expect(await denied('SELECT password FROM commerce.users')).toBe('42501');
  });
});

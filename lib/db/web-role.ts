// The web app's own PostgreSQL role (least privilege): it reads the sink, the dead letters and the
// reference data, writes only its sessions, queues job runs (insert only: the jobs worker runs
// and updates them) and the reference rows its simulator seeds, and can read no password, write
// no sink row, change no run, create nothing. The migrator
// (owner) applies these grants after every migration run, so a new table is never readable by
// the web until it is listed here. Roles are cluster-wide; grants are per database.
import pg from 'pg';

/** What the web role may do, table by table (schema commerce). Anything unlisted: nothing. */
export const WEB_ROLE_GRANTS: readonly string[] = [
  'GRANT USAGE ON SCHEMA commerce TO {role}',
  // The dashboard, the checkout browser and the lake export read the sink.
  'GRANT SELECT ON commerce.attributed_checkouts, commerce.dead_letters, commerce.products TO {role}',
  // Users: never the password column.
  'GRANT SELECT (id, username, created_at, updated_at) ON commerce.users TO {role}',
  // The simulator stands in for the shop's website: it seeds users and products, and renames.
  'GRANT INSERT (id, username, password) ON commerce.users TO {role}',
  'GRANT UPDATE (username) ON commerce.users TO {role}',
  'GRANT INSERT ON commerce.products TO {role}',
  // Batch jobs: it queues a run and reads the runs; only the jobs worker claims and updates them.
  'GRANT SELECT, INSERT ON commerce.job_runs TO {role}',
  // The attribution page reads what the models job publishes (lib/jobs/models-contract.ts).
  'GRANT SELECT ON commerce.attribution_credits, commerce.attribution_by_channel TO {role}',
  // Its own table.
  'GRANT SELECT, INSERT, UPDATE, DELETE ON commerce.web_sessions TO {role}',
];

export interface WebRoleLogin {
  role: string;
  password: string;
}

/** The role and password of a WEB_DATABASE_URL. */
export function webRoleOf(webDatabaseUrl: string): WebRoleLogin {
  const url = new URL(webDatabaseUrl);
  const role = decodeURIComponent(url.username);
  if (!role) throw new Error('WEB_DATABASE_URL names no user: postgresql://<role>:<password>@…');
  return { role, password: decodeURIComponent(url.password) };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'clickstream-migrate' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Makes sure the role exists with the URL's password when the owner is allowed to manage roles
 * (a superuser, as in docker-compose.yml; the local stack creates it as superuser itself), then
 * applies the grants in the owner's database. Returns what it did, for the log.
 */
export async function provisionWebRole(
  ownerUrl: string,
  webDatabaseUrl: string,
  log: (message: string) => void = () => {},
): Promise<void> {
  const { role, password } = webRoleOf(webDatabaseUrl);
  await withClient(ownerUrl, async (client) => {
    const me = await client.query<{ name: string; manages: boolean }>(
      `SELECT current_user AS name, rolsuper OR rolcreaterole AS manages
         FROM pg_roles WHERE rolname = current_user`,
    );
    const owner = me.rows[0];
    if (owner?.name === role) {
      log(`WEB_DATABASE_URL logs in as the owner (${role}): no separate web role to grant`);
      return;
    }
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const id = pg.escapeIdentifier(role);
    if (owner?.manages) {
      const verb = exists.rowCount ? 'ALTER' : 'CREATE';
      await client.query(
        `${verb} ROLE ${id} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD ${pg.escapeLiteral(password)}`,
      );
      if (!exists.rowCount) log(`created the web role ${role}`);
    } else if (!exists.rowCount) {
      throw new Error(
        `WEB_DATABASE_URL names role ${role}, which does not exist, and ${owner?.name ?? 'the migrating user'} may not create roles: ` +
          `create it (CREATE ROLE ${id} LOGIN PASSWORD '…') or unset WEB_DATABASE_URL.`,
      );
    }
    await grantWebRole(client, role);
    log(`granted the web role ${role} its tables`);
  });
}

/** Applies WEB_ROLE_GRANTS to `role` in the client's database, after revoking what it had. */
export async function grantWebRole(client: pg.Client, role: string): Promise<void> {
  const id = pg.escapeIdentifier(role);
  await client.query('BEGIN');
  try {
    // Start from nothing, so a grant removed from the list is removed from the database too.
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA commerce FROM ${id}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA commerce FROM ${id}`);
    const columns = await client.query<{ statement: string }>(
      `SELECT format('REVOKE ALL (%I) ON %I.%I FROM %I', a.attname, n.nspname, c.relname, $1::text) AS statement
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'commerce' AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attacl IS NOT NULL
          AND EXISTS (SELECT 1 FROM aclexplode(a.attacl) x
                       WHERE x.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1::text))`,
      [role],
    );
    for (const { statement } of columns.rows) await client.query(statement);
    for (const grant of WEB_ROLE_GRANTS) await client.query(grant.replaceAll('{role}', id));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

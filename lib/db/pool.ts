// The pg Pool under Prisma Client's driver adapter (client.ts): one per process (per role for
// the web), its settings (size, application_name, timeouts) in one place. Free of the generated
// Prisma client, so DDL (migrate.ts) can run before or without `prisma generate`.
//
// A connection dying while checked out must not crash the process (pg emits 'error' on it, and
// an 'error' with no listener is thrown): `pool.query` (Prisma's adapter outside transactions,
// and the snapshots) listens while it holds one, the adapter listens on an interactive
// transaction's connection; idle connections are covered by the pool listener here.
import pg from 'pg';
import { logger } from '../log.ts';

export interface PoolOptions {
  /** Connections in the pool (pg's default is 10). */
  max?: number;
  /** Shown in pg_stat_activity, so a stuck query names its process. */
  applicationName?: string;
  /** A connection that cannot be had within this time is an error, not a hang. Default 10 s. */
  connectionTimeoutMillis?: number;
  /** The server cancels any statement running longer (PostgreSQL statement_timeout). */
  statementTimeoutMs?: number;
}

/** A pg Pool for `databaseUrl`. Idle-client errors are reported, not thrown (pg would crash). */
export function createPgPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max,
    application_name: options.applicationName ?? 'clickstream',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    ...(options.statementTimeoutMs !== undefined
      ? {
          statement_timeout: options.statementTimeoutMs,
          // A request that dies mid-transaction must not hold locks either.
          idle_in_transaction_session_timeout: options.statementTimeoutMs * 2,
        }
      : {}),
  });
  // Without a listener, a server restart kills the process through an idle client's 'error'.
  pool.on('error', (error) => {
    logger('db').warn({ err: error }, 'idle PostgreSQL connection failed');
  });
  return pool;
}

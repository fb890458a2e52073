// The pg Pool every database path shares: Prisma Client's driver adapter and the bulk SQL
// paths (sink upserts, snapshots, dead letters) alike. Free of the generated Prisma client,
// so the workers can start before or without `prisma generate`.
import pg from 'pg';
import { isTransient } from '../faults/error-kinds.ts';

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
    console.error(`[db] idle PostgreSQL connection failed: ${error.message}`);
  });
  return pool;
}

/**
 * Runs `work` on one pooled connection. pg emits 'error' on a checked-out client whose server
 * connection dies between queries (pg_terminate_backend, a server restart); with no listener
 * that would crash the process. Here it is caught, and a client that failed that way, or with
 * an error that says the connection is gone, is destroyed instead of going back to the pool.
 */
export async function withClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (error) {
    if (isTransient(error)) broken ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

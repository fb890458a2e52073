// The pg Pool every database path shares: Prisma Client's driver adapter and the bulk SQL
// paths (sink upserts, snapshots, dead letters) alike. Free of the generated Prisma client,
// so the workers can start before or without `prisma generate`.
import pg from 'pg';

export interface PoolOptions {
  /** Connections in the pool (pg's default is 10). */
  max?: number;
  /** Shown in pg_stat_activity, so a stuck query names its process. */
  applicationName?: string;
  /** A connection that cannot be had within this time is an error, not a hang. Default 10 s. */
  connectionTimeoutMillis?: number;
}

/** A pg Pool for `databaseUrl`. Idle-client errors are reported, not thrown (pg would crash). */
export function createPgPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max,
    application_name: options.applicationName ?? 'clickstream',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
  });
  // Without a listener, a server restart kills the process through an idle client's 'error'.
  pool.on('error', (error) => {
    console.error(`[db] idle PostgreSQL connection failed: ${error.message}`);
  });
  return pool;
}

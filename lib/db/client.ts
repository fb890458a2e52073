// Database access: Prisma Client over the node-postgres driver adapter (no engine binary), and
// the pg Pool factory that the bulk SQL paths (sink upserts, snapshots) use, so both share one
// connection layer and its settings.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';

export type { PrismaClient };

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

export interface CreatePrismaOptions extends PoolOptions {
  /** Share an existing pool; it is then left open by `$disconnect()`. */
  pool?: pg.Pool;
}

/** A PrismaClient on `databaseUrl` (or on `options.pool`). Call `$disconnect()` when done. */
export function createPrisma(databaseUrl: string, options: CreatePrismaOptions = {}): PrismaClient {
  const ownPool = options.pool === undefined;
  const pool = options.pool ?? createPgPool(databaseUrl, options);
  const adapter = new PrismaPg(pool, { disposeExternalPool: ownPool });
  return new PrismaClient({ adapter });
}

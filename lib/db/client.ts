// Database access: Prisma Client over the node-postgres driver adapter (no engine binary), and
// the pg Pool factory that the bulk SQL paths (sink upserts, snapshots) use, so both share one
// connection layer and its settings.
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { createPgPool, type PoolOptions } from './pool.ts';
import { PrismaClient } from '../generated/prisma/client.ts';

export type { PrismaClient };
export { createPgPool, type PoolOptions };

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

// The data layer's one connection setup: Prisma Client over the node-postgres driver adapter (no
// engine binary) on a pg Pool of ours, one pool per process (per role, for the web). The queries
// of the workers and the web go through the PrismaClient made here: the typed API where it fits,
// `$queryRaw`/`$executeRaw` tagged templates where the SQL matters. Talking to pg directly:
// DDL and role management (migrate.ts, web-role.ts); the users LISTEN connection
// (workers/speed/user-listener.ts: a dedicated session); and the speed layer's snapshots, on the
// very pool the adapter runs on, because Prisma's raw queries carry bytea as base64 inside JSON
// (workers/speed/snapshots.ts has the figures). The sink upsert goes through Prisma with its
// rows as one JSON text parameter, not 17 arrays (workers/speed/sink.ts has the figures).
//
// Robustness, checked against @prisma/adapter-pg 7: a query outside a transaction runs through
// `pool.query`, which listens for the connection's 'error' while it holds it; an interactive
// transaction's connection gets an 'error' listener from the adapter for as long as it is
// checked out, so a connection dying between two statements fails the transaction (transient,
// lib/faults/error-kinds.ts) instead of crashing the process; an idle connection's error is
// logged by the pool (pool.ts). A broken connection is not queryable and pg-pool drops it.
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { createPgPool, type PoolOptions } from './pool.ts';
import { PrismaClient, type Prisma } from '../generated/prisma/client.ts';

export type { PrismaClient };
export { createPgPool, type PoolOptions };

/** What a query function takes: the client, or the client of an interactive transaction. */
export type Db = PrismaClient | Prisma.TransactionClient;

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

/**
 * Runs `work` with a PrismaClient on `pool`, which stays open: for a caller that is handed the
 * process's pool rather than its client (one client per call, so nothing is left listening).
 */
export async function withPrismaOn<T>(
  pool: pg.Pool,
  work: (db: PrismaClient) => Promise<T>,
): Promise<T> {
  const db = createPrisma('', { pool });
  try {
    return await work(db);
  } finally {
    await db.$disconnect();
  }
}

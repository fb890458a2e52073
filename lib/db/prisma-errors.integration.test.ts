// What Prisma Client over the pg adapter raises when PostgreSQL fails, and how lib/faults
// classifies it, against a real server: a refused value is bad data, a lost or refused
// connection is transient (so it is retried), and a pooled connection that dies while a
// transaction holds it fails that transaction without crashing the process, after which the
// pool serves queries again.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { describeError, errorKind, sqlStateOf } from '../faults/error-kinds.ts';
import { createPgPool, createPrisma, type PrismaClient } from './client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';

let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let admin: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase(loadConfig().DATABASE_URL);
  pool = createPgPool(db.url, { max: 2, applicationName: 'prisma-errors-test' });
  prisma = createPrisma(db.url, { pool });
  admin = createPgPool(db.url, { max: 1, applicationName: 'prisma-errors-admin' });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await admin?.end();
  await db?.drop();
});

/** The error `run` rejects with. */
async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('errors of Prisma Client over the pg adapter', () => {
  it('a value PostgreSQL refuses is bad data, with its SQLSTATE and message', async () => {
    const error = await failure(() => prisma.$queryRaw`SELECT ${'abc'}::int`);
    expect(errorKind(error)).toBe('bad_data');
    expect(sqlStateOf(error)).toBe('22P02');
    expect(describeError(error)).toBe('invalid input syntax for type integer: "abc" (22P02)');
  });

  it('a unique violation through the typed API is bad data', async () => {
    await prisma.user.create({ data: { id: 1, username: 'one' } });
    const error = await failure(() => prisma.user.create({ data: { id: 1, username: 'again' } }));
    expect(errorKind(error)).toBe('bad_data');
    expect(sqlStateOf(error)).toBe('23505');
  });

  it('a connection failure raised by the server (08006) is transient', async () => {
    const error = await failure(
      () => prisma.$executeRaw`DO $$ BEGIN RAISE EXCEPTION 'lost' USING ERRCODE = '08006'; END $$`,
    );
    expect(errorKind(error)).toBe('transient');
  });

  it('a statement timeout is transient', async () => {
    const error = await failure(() =>
      prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL statement_timeout = 50`;
        await tx.$queryRaw`SELECT pg_sleep(1)::text`;
      }),
    );
    expect(errorKind(error)).toBe('transient');
    expect(sqlStateOf(error)).toBe('57014');
  });

  it('a server that refuses connections is transient', async () => {
    const away = createPrisma('postgresql://nobody:x@127.0.0.1:1/none', {
      connectionTimeoutMillis: 1_000,
    });
    try {
      const error = await failure(() => away.$queryRaw`SELECT 1`);
      expect(errorKind(error)).toBe('transient');
    } finally {
      await away.$disconnect();
    }
  });

  it('a connection killed while a transaction holds it fails the transaction, not the process', async () => {
    const error = await failure(() =>
      prisma.$transaction(async (tx) => {
        const [backend] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        await admin.query('SELECT pg_terminate_backend($1)', [backend!.pid]);
        // The connection is idle and checked out: pg emits 'error' on it now.
        await new Promise((r) => setTimeout(r, 300));
        await tx.$queryRaw`SELECT 1`;
      }),
    );
    expect(errorKind(error)).toBe('transient');
    expect(await prisma.$queryRaw`SELECT 1::int AS ok`).toEqual([{ ok: 1 }]);
  });

  it('idle pooled connections killed by the server are replaced', async () => {
    await Promise.all([prisma.$queryRaw`SELECT 1`, prisma.$queryRaw`SELECT 2`]);
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'prisma-errors-test'`,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await prisma.user.count()).toBe(1);
  });
});

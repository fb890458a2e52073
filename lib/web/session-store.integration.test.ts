// Server-side sessions against a real PostgreSQL (a fresh test database, Prisma Client): a
// session is found by its cookie secret only, never stored in the clear, and ends at sign-out,
// at its absolute and idle expiry, everywhere at once, and when ADMIN_TOKEN changes. Also: the
// web request pool's statement_timeout really cancels a long query.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createPgPool, createPrisma, type PrismaClient } from '../db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
import { tokenEpoch } from './auth.ts';
import { SessionStore } from './session-store.ts';

const T0 = Date.parse('2026-11-24T12:00:00.000Z');
const HOUR = 3_600_000;
let db: TestDatabase;
let prisma: PrismaClient;
let epoch = tokenEpoch('first-admin-token-0123456789');
let store: SessionStore;

beforeAll(async () => {
  db = await createTestDatabase(loadConfig().DATABASE_URL);
  prisma = createPrisma(db.url);
  store = new SessionStore({
    prisma: () => prisma,
    tokenEpoch: () => epoch,
    ttlMs: 12 * HOUR,
    idleMs: 2 * HOUR,
  });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe('SessionStore', () => {
  it('stores only a hash of the secret, and finds the session by the secret alone', async () => {
    const { secret, id, maxAgeMs } = await store.create('203.0.113.9', 'Firefox', T0);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(maxAgeMs).toBe(12 * HOUR);
    const row = await prisma.webSession.findUniqueOrThrow({ where: { id } });
    expect(row.secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(await store.find(secret, T0 + 1_000)).toEqual({ id });
    expect(await store.find(`${secret.slice(0, -1)}x`, T0)).toBeNull();
    const listed = await store.list(T0 + 1_000);
    expect(listed).toEqual([
      expect.objectContaining({ id, clientAddress: '203.0.113.9', userAgent: 'Firefox' }),
    ]);
  });

  it('ends a session at sign-out: the same secret no longer works', async () => {
    const { secret, id } = await store.create('127.0.0.1', 'ua', T0);
    expect(await store.revokeSecret(secret)).toBe(id);
    expect(await store.find(secret, T0)).toBeNull();
    expect(await store.revokeSecret(secret)).toBeNull();
  });

  it('expires after its lifetime, and after an idle spell, but a used session stays', async () => {
    const idle = await store.create('127.0.0.1', 'ua', T0);
    const used = await store.create('127.0.0.1', 'ua', T0);
    // Used every 90 minutes: never idle for 2 h, so alive until the 12 h lifetime ends.
    for (let t = T0 + 1.5 * HOUR; t < T0 + 12 * HOUR; t += 1.5 * HOUR) {
      expect(await store.find(used.secret, t)).not.toBeNull();
    }
    expect(await store.find(idle.secret, T0 + 2 * HOUR + 1)).toBeNull();
    expect(await store.find(used.secret, T0 + 12 * HOUR)).toBeNull();
  });

  it('signs every browser out at once, and a new ADMIN_TOKEN ends every older session', async () => {
    const a = await store.create('127.0.0.1', 'ua', T0);
    const b = await store.create('127.0.0.2', 'ua', T0);
    expect(await store.revokeAll()).toBeGreaterThanOrEqual(2);
    expect(await store.find(a.secret, T0)).toBeNull();
    expect(await store.find(b.secret, T0)).toBeNull();

    const before = await store.create('127.0.0.1', 'ua', T0);
    epoch = tokenEpoch('second-admin-token-0123456789');
    expect(await store.find(before.secret, T0)).toBeNull();
    expect(await store.list(T0)).toEqual([]);
    const after = await store.create('127.0.0.1', 'ua', T0);
    expect(await store.purge(T0)).toBeGreaterThanOrEqual(1);
    expect(await prisma.webSession.count()).toBe(1);
    expect(await store.find(after.secret, T0)).not.toBeNull();
  });
});

describe('the web request pool', () => {
  it('has PostgreSQL cancel a statement that runs past statement_timeout', async () => {
    const pool = createPgPool(db.url, { max: 1, statementTimeoutMs: 200 });
    try {
      const started = Date.now();
      await expect(pool.query('SELECT pg_sleep(5)')).rejects.toMatchObject({ code: '57014' });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });
});

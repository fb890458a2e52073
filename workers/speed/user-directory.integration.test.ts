// The user directory against a real PostgreSQL: user ids no row can have, a LISTEN connection
// that is killed (and cannot come back at once), lookups whose connections are terminated
// mid-query, and the memory bound.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createPgPool, createPrisma, type PrismaClient } from '../../lib/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
import { DependencyHealth } from './dependency-health.ts';
import { createSpeedMetrics } from './metrics.ts';
import { UserDirectory, type UserDirectoryOptions } from './user-directory.ts';

const run = randomBytes(3).toString('hex');
const POOL_APP = `user-directory-pool-${run}`;
const LISTENER_APP = `user-directory-listener-${run}`;
const USERS = 300;

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 2_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('UserDirectory', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  const opened: { users: UserDirectory; pool: pg.Pool }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(loadConfig().DATABASE_URL);
    admin = new pg.Client({ connectionString: db.url, application_name: `admin-${run}` });
    await admin.connect();
    await admin.query(
      `INSERT INTO commerce.users (id, username) SELECT g, 'user' || g FROM generate_series(1, $1::int) g`,
      [USERS],
    );
  });

  afterEach(async () => {
    for (const { users, pool } of opened.splice(0)) {
      await users.stop();
      await pool.end();
    }
    await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(db.name)} CONNECTION LIMIT -1`);
    await admin.query(`UPDATE commerce.users SET username = 'user' || id`);
  });

  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  async function open(options: UserDirectoryOptions = {}) {
    const logs: string[] = [];
    const health = new DependencyHealth(createSpeedMetrics(), (msg) => logs.push(msg));
    const pool = createPgPool(db.url, { applicationName: POOL_APP, max: 3 });
    const users = new UserDirectory(createPrisma(db.url, { pool }), db.url, {
      health,
      applicationName: LISTENER_APP,
      log: (msg) => logs.push(msg),
      ...options,
    });
    opened.push({ users, pool });
    await users.start();
    return { users, health, logs };
  }

  /** Terminates this test database's backends named `applicationName`; how many. */
  async function terminate(applicationName: string): Promise<number> {
    // Pids first: in one WHERE, the planner may call pg_terminate_backend on other rows too.
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [applicationName],
    );
    const pids = rows.map((r) => r.pid);
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    return pids.length;
  }

  /** The backends of this test database that ran LISTEN: the directory's listener. */
  async function listeners(): Promise<{ pid: number; application_name: string }[]> {
    const { rows } = await admin.query<{ pid: number; application_name: string }>(
      `SELECT pid, application_name FROM pg_stat_activity
        WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
    );
    return rows;
  }

  it('resolves user ids outside the integer column as unknown users, in a batch with valid ids', async () => {
    const { users, logs } = await open({ maxNames: 10 });
    const outside = [3_000_000_000, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53 - 1)];
    // 1 is cached by the start; 250 and -5 (an integer, but no row) are looked up in one query
    // together with the ids no integer column can hold.
    const batch = [1, ...outside, 250, -5, 2 ** 31 - 1];
    await users.prefetch(batch);
    await users.prefetch(batch, Date.now() + 5_000); // again, once the misses are due a recheck
    expect(users.nameOf(1)).toBe('user1');
    expect(users.nameOf(250)).toBe('user250');
    for (const id of [...outside, -5, 2 ** 31 - 1]) expect(users.nameOf(id)).toBeUndefined();
    expect(logs).toEqual([]);
  });

  it('re-listens and resyncs after the LISTEN connection is killed: a rename while nobody listened is seen', async () => {
    // No periodic resync: only the reconnect can catch the rename.
    const { users, health } = await open({ resyncIntervalMs: 0 });
    expect(users.nameOf(7)).toBe('user7');
    const [before] = await listeners();
    expect(before).toBeDefined();

    // The database refuses new connections, so the listener stays away while user 7 is renamed:
    // the trigger's notification reaches nobody.
    await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(db.name)} CONNECTION LIMIT 0`);
    await admin.query('SELECT pg_terminate_backend($1)', [before?.pid]);
    await admin.query(`UPDATE commerce.users SET username = 'renamed-while-away' WHERE id = 7`);
    await waitFor('the reconnect attempts to be reported', () =>
      health.degraded().some((d) => d.dependency === 'postgres:user listener'),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(users.nameOf(7)).toBe('user7');
    // Refused connections are retried with backoff, not given up on.
    const [trouble] = health.degraded();
    expect(trouble?.attempts).toBeGreaterThan(1);

    await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(db.name)} CONNECTION LIMIT -1`);
    await waitFor(
      'the rename to be read after reconnecting',
      () => users.nameOf(7) === 'renamed-while-away',
    );
    await waitFor('a new LISTEN backend', async () => {
      const now = await listeners();
      return now.length === 1 && now[0]!.pid !== before?.pid;
    });
    // Its own application_name, so an operator (or this test) can find it.
    expect((await listeners())[0]?.application_name).toBe(LISTENER_APP);
    expect(health.degraded()).toEqual([]);

    // And notifications flow again on the new connection.
    await admin.query(`UPDATE commerce.users SET username = 'renamed-after' WHERE id = 8`);
    await waitFor('a notified rename', () => users.nameOf(8) === 'renamed-after');
  });

  it('reads the cached names again periodically, catching renames no notification announced', async () => {
    const { users } = await open({ resyncIntervalMs: 200 });
    await admin.query('ALTER TABLE commerce.users DISABLE TRIGGER users_notify_changed');
    try {
      await admin.query(`UPDATE commerce.users SET username = 'silent-rename' WHERE id = 9`);
    } finally {
      await admin.query('ALTER TABLE commerce.users ENABLE TRIGGER users_notify_changed');
    }
    await waitFor('the periodic resync', () => users.nameOf(9) === 'silent-rename');
  });

  it('completes prefetches whose pool connections are terminated mid-query', async () => {
    // Only ids 1-100 are cached at start, so 200-229 are looked up, like the absent 5000-5002.
    const { users, logs } = await open({ maxNames: 100 });
    const locker = new pg.Client({ connectionString: db.url, application_name: `locker-${run}` });
    await locker.connect();
    try {
      // Holds every lookup in flight, waiting on the lock, until the backends are terminated.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE commerce.users IN ACCESS EXCLUSIVE MODE');
      const batches = [0, 1, 2].map((i) => [...range(200 + 10 * i, 10), 5_000 + i]);
      const settled: string[] = [];
      const done = batches.map((ids) =>
        users.prefetch(ids).then(
          () => settled.push('done'),
          (error: unknown) => settled.push(`failed: ${String(error)}`),
        ),
      );
      await waitFor('three lookups waiting on the lock', async () => {
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1
              AND wait_event_type = 'Lock'`,
          [POOL_APP],
        );
        return rows[0]!.n === 3;
      });
      expect(await terminate(POOL_APP)).toBe(3);
      // The retries reconnect and wait on the lock again: nothing fails, nothing is done yet.
      await waitFor(
        'a retry to be reported',
        () => logs.some((l) => l.startsWith('postgres:user lookup failed')) || settled.length > 0,
      );
      expect(settled).toEqual([]);
      await locker.query('ROLLBACK'); // the database "comes back"
      await Promise.all(done);
      expect(settled).toEqual(['done', 'done', 'done']);
    } finally {
      await locker.end();
    }
    for (const id of range(200, 30)) expect(users.nameOf(id)).toBe(`user${id}`);
    for (const id of [5_000, 5_001, 5_002]) expect(users.nameOf(id)).toBeUndefined();
    expect(logs.some((l) => l.startsWith('postgres:user lookup recovered'))).toBe(true);
  });

  it('answers a prefetch made while the names are still loading from the names read', async () => {
    // The worker joins its consumer groups while the directory starts: a batch may come first.
    // Prisma stands in here, so the first read can be held back until the prefetch is waiting.
    let releaseLoad = () => {};
    const loadHeld = new Promise<void>((resolve) => (releaseLoad = resolve));
    const lookups: number[][] = [];
    const prisma = {
      user: {
        findMany: async () => {
          await loadHeld;
          return [1, 2].map((id) => ({ id, username: `user${id}` }));
        },
      },
      $queryRaw: async (_sql: TemplateStringsArray, ids: number[]) => {
        lookups.push(ids);
        return [];
      },
    } as unknown as PrismaClient;
    const users = new UserDirectory(prisma, db.url, { applicationName: LISTENER_APP });
    try {
      const started = users.start();
      const prefetched = users.prefetch([1, 2]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      releaseLoad();
      await prefetched;
      expect(lookups).toEqual([]);
      expect([users.nameOf(1), users.nameOf(2)]).toEqual(['user1', 'user2']);
      await started;
    } finally {
      await users.stop();
    }
  });

  it('keeps at most maxNames names and maxMissing absent ids, and still resolves every batch', async () => {
    const { users } = await open({ maxNames: 50, maxMissing: 20 });
    expect(users.size).toBeLessThanOrEqual(50);
    const t0 = Date.now();
    for (let round = 0; round < 10; round++) {
      const present = range(1 + 30 * round, 30);
      const absent = range(10_000 + 15 * round, 15);
      await users.prefetch([...present, ...absent], t0 + round * 2_000);
      expect(users.size).toBeLessThanOrEqual(50);
      expect(users.missingSize).toBeLessThanOrEqual(20);
      for (const id of present) expect(users.nameOf(id)).toBe(`user${id}`);
      for (const id of absent) expect(users.nameOf(id)).toBeUndefined();
    }
    // A batch with more users than the bound: every one of them still has its name.
    await users.prefetch(range(1, 120));
    expect(users.size).toBe(50);
    for (const id of range(1, 120)) expect(users.nameOf(id)).toBe(`user${id}`);

    // A user forgotten by the cache and renamed meanwhile is read afresh on its next use.
    await users.prefetch(range(200, 60));
    await admin.query(`UPDATE commerce.users SET username = 'renamed-evicted' WHERE id = 3`);
    await users.prefetch([3]);
    expect(users.nameOf(3)).toBe('renamed-evicted');
    expect(users.size).toBeLessThanOrEqual(50);
  });
});

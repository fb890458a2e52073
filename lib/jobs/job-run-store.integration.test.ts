// The job-run store and runJob on a real database: one queued-or-running run per kind (enqueue
// conflicts), SKIP LOCKED claims (two claimers, one winner), takeover of a run whose worker
// stopped heartbeating (any host, after the lease) or whose process died (this host, at once),
// progress and outcome written only by the holder, and a stopping worker's run given back.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createPrisma, type PrismaClient } from '../db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
import { JobAlreadyActiveError } from './job-run.ts';
import { JobRunStore } from './job-run-store.ts';
import { JobLeaseLostError, JobReleasedError, runJob } from './run-job.ts';
import { workerIdentity } from './worker-identity.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let other: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase(loadConfig().DATABASE_URL);
  prisma = createPrisma(db.url);
  other = createPrisma(db.url);
});

afterAll(async () => {
  await prisma?.$disconnect();
  await other?.$disconnect();
  await db?.drop();
});

beforeEach(async () => {
  await prisma.jobRun.deleteMany();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pid that surely no longer exists: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], {
    encoding: 'utf8',
  });
  return Number(child.stdout.trim());
}

describe('enqueue', () => {
  it('queues one run per kind: a second is refused while the first is queued or running', async () => {
    const store = new JobRunStore(prisma);
    const first = await store.enqueue('lake_export');
    expect(first).toMatchObject({ queued: true, run: { kind: 'lake_export', status: 'queued' } });
    const id = first.queued ? first.run.id : '';
    expect(await store.enqueue('lake_export')).toEqual({
      queued: false,
      active: expect.objectContaining({ id, status: 'queued' }),
    });
    // Another kind is independent.
    expect((await store.enqueue('models')).queued).toBe(true);

    await store.claim(['lake_export'], 'jobs 1@a');
    const again = await store.enqueue('lake_export');
    expect(again).toEqual({
      queued: false,
      active: expect.objectContaining({ id, status: 'running', claimedBy: 'jobs 1@a' }),
    });
    const error = new JobAlreadyActiveError('lake_export', again.queued ? null : again.active);
    expect(error.message).toMatch(/^a lake export is already running \(run .+\); not starting/);

    await store.finish(id, 'jobs 1@a', {
      status: 'succeeded',
      progress: null,
      result: {},
      error: null,
    });
    expect((await store.enqueue('lake_export')).queued).toBe(true);
  });

  it('enqueues a schedule time once, whoever fires it', async () => {
    const store = new JobRunStore(prisma);
    const at = new Date('2026-03-01T02:00:00Z');
    const first = await store.enqueue('lake_export', at);
    expect(first.queued).toBe(true);
    const id = first.queued ? first.run.id : '';
    await store.claim(['lake_export'], 'jobs 1@a');
    await store.finish(id, 'jobs 1@a', {
      status: 'succeeded',
      progress: null,
      result: {},
      error: null,
    });
    // A second leader that fires the same time after the run ended adds nothing.
    expect(await store.enqueue('lake_export', at)).toMatchObject({ queued: false, active: null });
  });
});

describe('claim', () => {
  it('gives a queued run to exactly one of two claimers (FOR UPDATE SKIP LOCKED)', async () => {
    await new JobRunStore(prisma).enqueue('lake_export');
    const claims = await Promise.all([
      new JobRunStore(prisma).claim(['lake_export'], 'jobs 1@a'),
      new JobRunStore(other).claim(['lake_export'], 'jobs 2@b'),
    ]);
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
    const row = await prisma.jobRun.findFirstOrThrow();
    expect(row).toMatchObject({ status: 'running', attempts: 1 });
    expect(['jobs 1@a', 'jobs 2@b']).toContain(row.claimedBy);
    expect(row.heartbeatAt).not.toBeNull();
  });

  it('takes over, on any host, a running run whose worker stopped heartbeating', async () => {
    const a = new JobRunStore(prisma, 300);
    const b = new JobRunStore(other, 300);
    await a.enqueue('models');
    const claimed = await a.claim(['models'], 'jobs 1@host-a');
    expect(claimed).not.toBeNull();
    // Within the lease nobody else gets it, even while A is silent.
    expect(await b.claim(['models'], 'jobs 2@host-b')).toBeNull();
    expect(await a.heartbeat(claimed!.id, 'jobs 1@host-a')).toBe(true);
    await sleep(450);
    const taken = await b.claim(['models'], 'jobs 2@host-b');
    expect(taken).toMatchObject({ id: claimed!.id, attempts: 2 });
    // The old holder finds out: its heartbeat, progress and outcome no longer land.
    expect(await a.heartbeat(claimed!.id, 'jobs 1@host-a')).toBe(false);
    expect(await a.writeProgress(claimed!.id, 'jobs 1@host-a', { stale: true })).toBe(false);
    expect(
      await a.finish(claimed!.id, 'jobs 1@host-a', {
        status: 'failed',
        progress: null,
        result: null,
        error: 'x',
      }),
    ).toBe(false);
    expect(await prisma.jobRun.findFirstOrThrow()).toMatchObject({
      status: 'running',
      claimedBy: 'jobs 2@host-b',
    });
  });

  it('takes over at once a run whose process on this host has died', async () => {
    const store = new JobRunStore(prisma); // the default lease: 30 s
    const dead = workerIdentity('jobs', deadPid());
    const first = await store.start('models', dead);
    await expect(store.start('models', workerIdentity('jobs'))).rejects.toBeInstanceOf(
      JobAlreadyActiveError,
    );
    const { run } = await runJob('models', async () => 'done', {
      store,
      worker: workerIdentity('jobs'),
      mode: 'start',
    });
    expect(run).toMatchObject({ id: first.id, attempts: 2 });
    expect(await prisma.jobRun.findFirstOrThrow()).toMatchObject({
      status: 'succeeded',
      claimedBy: workerIdentity('jobs'),
    });
    // A live claimer on this host, or one on another host, keeps its lease.
    await store.start('models', workerIdentity('jobs', process.pid, 'elsewhere'));
    expect(await store.expireDeadClaims(hostname(), () => false)).toBe(0);
  });
});

describe('runJob', () => {
  it('records progress while the job runs and its result when it ends', async () => {
    const store = new JobRunStore(prisma);
    const worker = workerIdentity('jobs');
    await store.enqueue('lake_export');
    const seen: unknown[] = [];
    const outcome = await runJob(
      'lake_export',
      async ({ run, progress }) => {
        progress({ step: 1 });
        await sleep(150);
        seen.push((await prisma.jobRun.findUniqueOrThrow({ where: { id: run.id } })).progress);
        progress({ step: 2 });
        return { rows: 3 };
      },
      { store, worker, mode: 'claim', progressIntervalMs: 50 },
    );
    expect(outcome?.result).toEqual({ rows: 3 });
    expect(seen).toEqual([{ step: 1 }]);
    expect(await prisma.jobRun.findFirstOrThrow()).toMatchObject({
      status: 'succeeded',
      progress: { step: 2 },
      result: { rows: 3 },
      claimedBy: worker,
      error: null,
    });
    // Nothing queued: nothing to run.
    expect(await runJob('lake_export', async () => 1, { store, worker, mode: 'claim' })).toBeNull();
  });

  it('fails the run with the error, or with the failure its result names', async () => {
    const store = new JobRunStore(prisma);
    const worker = workerIdentity('jobs');
    await expect(
      runJob(
        'models',
        async () => {
          throw new Error('dbt crashed');
        },
        { store, worker, mode: 'start' },
      ),
    ).rejects.toThrow('dbt crashed');
    expect(await prisma.jobRun.findFirstOrThrow()).toMatchObject({
      status: 'failed',
      error: 'dbt crashed',
    });
    await runJob('models', async () => ({ ok: false }), {
      store,
      worker,
      mode: 'start',
      failureOf: (r) => (r.ok ? null : 'test fct_x failed'),
    });
    expect(await prisma.jobRun.findFirstOrThrow({ orderBy: { startedAt: 'desc' } })).toMatchObject({
      status: 'failed',
      error: 'test fct_x failed',
      result: { ok: false },
    });
  });

  it('refuses to start a second run of a kind ("already running")', async () => {
    const store = new JobRunStore(prisma);
    let release!: () => void;
    const first = runJob('lake_export', () => new Promise<void>((resolve) => (release = resolve)), {
      store,
      worker: workerIdentity('jobs'),
      mode: 'start',
    });
    await expect.poll(() => prisma.jobRun.count({ where: { status: 'running' } })).toBe(1);
    const second = runJob('lake_export', async () => undefined, {
      store: new JobRunStore(other),
      worker: workerIdentity('cli'),
      mode: 'start',
    });
    await expect(second).rejects.toBeInstanceOf(JobAlreadyActiveError);
    await expect(second).rejects.toThrow(/a lake export is already running/);
    release();
    await first;
  });

  it('gives the run back to the queue when the worker stops', async () => {
    const store = new JobRunStore(prisma);
    await store.enqueue('lake_export');
    const stop = new AbortController();
    const running = runJob(
      'lake_export',
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error)),
        ),
      { store, worker: workerIdentity('jobs'), mode: 'claim', signal: stop.signal },
    );
    await expect.poll(() => prisma.jobRun.count({ where: { status: 'running' } })).toBe(1);
    stop.abort();
    await expect(running).rejects.toBeInstanceOf(JobReleasedError);
    expect(await prisma.jobRun.findFirstOrThrow()).toMatchObject({
      status: 'queued',
      claimedBy: null,
      attempts: 1,
    });
    expect(await store.claim(['lake_export'], 'jobs 2@b')).toMatchObject({ attempts: 2 });
  });

  it('aborts the job when another worker has taken the run over', async () => {
    const store = new JobRunStore(prisma, 300);
    await store.enqueue('models');
    const running = runJob(
      'models',
      async ({ signal, run }) => {
        // Another worker takes it over (as if this one had been silent past the lease).
        await prisma.jobRun.update({ where: { id: run.id }, data: { claimedBy: 'jobs 9@other' } });
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        throw signal.reason as Error;
      },
      { store, worker: workerIdentity('jobs'), mode: 'claim', heartbeatMs: 50 },
    );
    await expect(running).rejects.toBeInstanceOf(JobLeaseLostError);
    expect(await prisma.jobRun.findFirstOrThrow()).toMatchObject({
      status: 'running',
      claimedBy: 'jobs 9@other',
    });
  });
});

// The jobs worker's loop on a real database, with stand-in jobs: a queued run is run by exactly
// one of two workers, with progress on its row; a worker that stops gives its run back to the
// queue and another worker re-runs it to the end.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createPrisma, type PrismaClient } from '../../lib/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
import { JobRunStore } from '../../lib/jobs/job-run-store.ts';
import type { JobContext } from '../../lib/jobs/run-job.ts';
import { startJobsWorker, type JobHandler, type JobsWorker } from './jobs-worker.ts';

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase(loadConfig().DATABASE_URL);
  prisma = createPrisma(db.url);
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

beforeEach(async () => {
  await prisma.jobRun.deleteMany();
});

/** A job that reports progress and finishes when `finish` is called, or stops when aborted. */
function controllableJob() {
  const started: string[] = [];
  let finish: (() => void) | undefined;
  const handler: JobHandler = {
    run: ({ run, progress, signal }: JobContext) =>
      new Promise((resolve, reject) => {
        started.push(run.id);
        progress({ step: 'working', attempt: run.attempts });
        finish = () => resolve({ done: true });
        signal.addEventListener('abort', () => reject(signal.reason as Error));
      }),
  };
  return { handler, started, finish: () => finish?.() };
}

function worker(name: string, handler: JobHandler): JobsWorker {
  return startJobsWorker({
    store: new JobRunStore(prisma),
    worker: name,
    handlers: { lake_export: handler, models: handler },
    pollMs: 100,
  });
}

describe('jobs worker', () => {
  it('runs a queued run in exactly one of two workers, and gives it back when stopping', async () => {
    const job = controllableJob();
    const a = worker('jobs 1@a', job.handler);
    const b = worker('jobs 2@b', job.handler);
    try {
      const queued = await new JobRunStore(prisma).enqueue('lake_export');
      const id = queued.queued ? queued.run.id : '';
      await expect.poll(() => job.started.length).toBe(1);
      const row = await prisma.jobRun.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ status: 'running', attempts: 1 });
      await expect
        .poll(async () => (await prisma.jobRun.findUniqueOrThrow({ where: { id } })).progress)
        .toEqual({ step: 'working', attempt: 1 });
      const [holder, other] = row.claimedBy === 'jobs 1@a' ? [a, b] : [b, a];

      // The holder stops (SIGTERM): the run goes back to the queue, the other worker re-runs it.
      await holder.stop(5_000);
      await expect.poll(() => job.started.length).toBe(2);
      expect(job.started).toEqual([id, id]);
      const retaken = await prisma.jobRun.findUniqueOrThrow({ where: { id } });
      expect(retaken).toMatchObject({ status: 'running', attempts: 2 });
      expect(retaken.claimedBy).not.toBe(row.claimedBy);
      expect(other.running()).toEqual([{ kind: 'lake_export', runId: id }]);

      job.finish();
      await expect
        .poll(async () => (await prisma.jobRun.findUniqueOrThrow({ where: { id } })).status)
        .toBe('succeeded');
      expect(await prisma.jobRun.findUniqueOrThrow({ where: { id } })).toMatchObject({
        result: { done: true },
        error: null,
      });
    } finally {
      await a.stop(1_000);
      await b.stop(1_000);
    }
  });

  it('gives a run back even when its job does not stop within the grace time', async () => {
    const stubborn: JobHandler = { run: () => new Promise(() => undefined) };
    const w = worker('jobs 3@c', stubborn);
    try {
      const queued = await new JobRunStore(prisma).enqueue('models');
      const id = queued.queued ? queued.run.id : '';
      await expect.poll(() => w.running().length).toBe(1);
      await w.stop(200);
      expect(await prisma.jobRun.findUniqueOrThrow({ where: { id } })).toMatchObject({
        status: 'queued',
        claimedBy: null,
      });
    } finally {
      await w.stop(0);
    }
  });
});

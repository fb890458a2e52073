// The schedule's single leader on a real database: of two jobs workers only the one holding the
// advisory lock fires (enqueues); when its lock connection drops, the other takes over, and the
// old one stops firing. A fired time is enqueued once even if both tried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { loadConfig } from '../../lib/config.ts';
import { createPrisma, type PrismaClient } from '../../lib/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
import { JobRunStore, type EnqueueOutcome } from '../../lib/jobs/job-run-store.ts';
import { LEADER_LOCK_KEYS, startLeaderElection, type Leadership } from './leader.ts';
import { startLakeExportSchedule, type LakeExportSchedule } from './schedule.ts';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface JobsWorkerStandIn {
  leader: Leadership;
  schedule: LakeExportSchedule;
  fired: EnqueueOutcome[];
}

function startWorker(store: JobRunStore): JobsWorkerStandIn {
  const leader = startLeaderElection({ databaseUrl: db.url, retryMs: 200 });
  const fired: EnqueueOutcome[] = [];
  const schedule = startLakeExportSchedule({
    pattern: '* * * * * *', // every second
    leader,
    enqueue: (at) => store.enqueue('lake_export', at),
    onFired: (outcome) => fired.push(outcome),
  });
  return { leader, schedule, fired };
}

async function stopWorker(w: JobsWorkerStandIn): Promise<void> {
  w.schedule.stop();
  await w.leader.stop();
}

describe('the schedule leader', () => {
  it('lets one of two jobs workers fire, and the other take over when its connection drops', async () => {
    const store = new JobRunStore(prisma);
    const a = startWorker(store);
    const b = startWorker(store);
    try {
      await expect.poll(() => [a, b].filter((w) => w.leader.isLeader()).length).toBe(1);
      const [first, second] = a.leader.isLeader() ? [a, b] : [b, a];
      await sleep(2_500);
      expect(second.fired).toEqual([]);
      expect(first.fired.length).toBeGreaterThanOrEqual(2);
      // The first time queued a run; the next ones found it still queued and were skipped.
      expect(first.fired[0]).toMatchObject({ queued: true });
      expect(first.fired.slice(1).every((f) => !f.queued && f.active?.status === 'queued')).toBe(
        true,
      );
      const queued = await prisma.jobRun.findMany();
      expect(queued).toHaveLength(1);
      expect(queued[0]!.scheduledFor?.getUTCMilliseconds()).toBe(0);

      // The leader's lock connection is killed (a network drop, a restarted pooler): the server
      // releases its lock, the other worker takes the lead, and the old leader stops firing.
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      try {
        const { rowCount } = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND classid = $1::int::oid AND objid = $2::int::oid
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [...LEADER_LOCK_KEYS],
        );
        expect(rowCount).toBe(1);
      } finally {
        await admin.end();
      }
      await expect.poll(() => second.leader.isLeader(), { timeout: 5_000 }).toBe(true);
      expect(first.leader.isLeader()).toBe(false);
      const firedBefore = first.fired.length;
      const secondBefore = second.fired.length;
      await sleep(2_200);
      expect(second.fired.length).toBeGreaterThan(secondBefore);
      // The old leader may retry the lock, but never both lead at once.
      expect([first, second].filter((w) => w.leader.isLeader())).toHaveLength(1);
      if (!first.leader.isLeader()) expect(first.fired.length).toBe(firedBefore);
    } finally {
      await stopWorker(a);
      await stopWorker(b);
    }
  });

  it('enqueues one schedule time once even when two leaders fire it', async () => {
    await prisma.jobRun.deleteMany();
    const store = new JobRunStore(prisma);
    const at = new Date('2026-03-01T02:00:00Z');
    const outcomes = await Promise.all([
      store.enqueue('lake_export', at),
      store.enqueue('lake_export', at),
    ]);
    expect(outcomes.filter((o) => o.queued)).toHaveLength(1);
    expect(await prisma.jobRun.count()).toBe(1);
  });
});

// The one store of commerce.job_runs, on Prisma Client. The web enqueues (INSERT) and reads; jobs
// workers claim (UPDATE … FOR UPDATE SKIP LOCKED), heartbeat, report progress and finish.
// Invariants: at most one queued or running run per kind (a partial unique index: the database,
// not this code, refuses a second); only the worker named in claimed_by writes a running row; a
// running row whose heartbeat is older than the lease belongs to nobody and is claimed again.
// Times are the database's (now()), so hosts with skewed clocks agree on the lease.
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { JobKind, JobStatus } from './job-kinds.ts';
import { JobAlreadyActiveError, type JobRunView } from './job-run.ts';

/** A running row not heartbeaten for this long is taken over by any jobs worker. */
export const DEFAULT_LEASE_MS = 30_000;

export interface ClaimedRun {
  id: string;
  kind: JobKind;
  startedAt: Date;
  /** 1 on the first claim; more when this claim takes over a run whose worker died. */
  attempts: number;
  scheduledFor: Date | null;
}

export interface RunOutcome {
  status: 'succeeded' | 'failed';
  progress: unknown;
  result: unknown;
  error: string | null;
}

export type EnqueueOutcome =
  { queued: true; run: JobRunView } | { queued: false; active: JobRunView | null };

interface RunRow {
  id: string;
  kind: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  progress: unknown;
  result: unknown;
  error: string | null;
  claimed_by: string | null;
  attempts: number;
  scheduled_for: Date | null;
}

const toView = (r: RunRow): JobRunView => ({
  id: r.id,
  kind: r.kind as JobKind,
  status: r.status as JobStatus,
  startedAt: r.started_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
  durationMs: r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
  progress: r.progress,
  result: r.result,
  error: r.error,
  claimedBy: r.claimed_by,
  attempts: r.attempts,
});

const toClaimed = (r: RunRow): ClaimedRun => ({
  id: r.id,
  kind: r.kind as JobKind,
  startedAt: r.started_at,
  attempts: r.attempts,
  scheduledFor: r.scheduled_for,
});

const json = (value: unknown): string => JSON.stringify(value ?? null);

export class JobRunStore {
  constructor(
    private readonly prisma: PrismaClient,
    readonly leaseMs = DEFAULT_LEASE_MS,
  ) {}

  /**
   * Queues a run of `kind` (at `scheduledFor`, when the schedule asks), unless one of that kind is
   * queued or running: then answers with that one, or null when it was the schedule time that was
   * taken. Needs only INSERT and SELECT: what the web role may do.
   */
  async enqueue(kind: JobKind, scheduledFor?: Date): Promise<EnqueueOutcome> {
    const rows = await this.prisma.$queryRaw<RunRow[]>`
      INSERT INTO commerce.job_runs (kind, status, scheduled_for)
      VALUES (${kind}, 'queued', ${scheduledFor ?? null}::timestamptz)
      ON CONFLICT DO NOTHING
      RETURNING *`;
    if (rows[0]) return { queued: true, run: toView(rows[0]) };
    return { queued: false, active: await this.active(kind) };
  }

  /** The queued or running run of `kind`, if any. */
  async active(kind: JobKind): Promise<JobRunView | null> {
    const rows = await this.prisma.$queryRaw<RunRow[]>`
      SELECT * FROM commerce.job_runs
       WHERE kind = ${kind} AND status IN ('queued', 'running')
       ORDER BY started_at DESC LIMIT 1`;
    return rows[0] ? toView(rows[0]) : null;
  }

  /**
   * Claims for `worker` the oldest queued run of one of `kinds`, or a running one whose worker
   * stopped heartbeating (taken over: the same row, one more attempt). Two claimers never get
   * the same row: the second skips the row the first has locked.
   */
  async claim(kinds: readonly JobKind[], worker: string): Promise<ClaimedRun | null> {
    const rows = await this.prisma.$queryRaw<RunRow[]>`
      UPDATE commerce.job_runs AS r
         SET status = 'running', claimed_by = ${worker}, heartbeat_at = now(),
             attempts = r.attempts + 1,
             started_at = CASE WHEN r.status = 'queued' THEN now() ELSE r.started_at END
       WHERE r.id = (
         SELECT id FROM commerce.job_runs
          WHERE kind = ANY(${[...kinds]}::text[])
            AND (status = 'queued'
                 OR (status = 'running'
                     AND (heartbeat_at IS NULL
                          OR heartbeat_at < now() - ${this.leaseMs}::int * interval '1 millisecond')))
          ORDER BY started_at
          LIMIT 1
          FOR UPDATE SKIP LOCKED)
      RETURNING r.*`;
    return rows[0] ? toClaimed(rows[0]) : null;
  }

  /**
   * A run of `kind` for `worker` now (the CLIs): the queued or abandoned one if there is one, else
   * a new row already running. Throws JobAlreadyActiveError while another worker runs one.
   */
  async start(kind: JobKind, worker: string): Promise<ClaimedRun> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed = await this.claim([kind], worker);
      if (claimed) return claimed;
      const rows = await this.prisma.$queryRaw<RunRow[]>`
        INSERT INTO commerce.job_runs (kind, status, claimed_by, heartbeat_at, attempts)
        VALUES (${kind}, 'running', ${worker}, now(), 1)
        ON CONFLICT DO NOTHING
        RETURNING *`;
      if (rows[0]) return toClaimed(rows[0]);
      const active = await this.active(kind);
      // Queued (or abandoned) between the claim and the insert: claim it on the next turn.
      if (active?.status !== 'queued') throw new JobAlreadyActiveError(kind, active);
    }
    throw new JobAlreadyActiveError(kind, await this.active(kind));
  }

  /** Renews the lease; false when the run is no longer this worker's (taken over, finished). */
  async heartbeat(id: string, worker: string): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE commerce.job_runs SET heartbeat_at = now()
       WHERE id = ${id}::uuid AND status = 'running' AND claimed_by = ${worker}`;
    return count > 0;
  }

  /**
   * Ends at once the lease of runs claimed on `host` by a process that no longer exists (a worker
   * on this machine that crashed), so they are taken over now instead of after the lease.
   */
  async expireDeadClaims(host: string, isAlive: (pid: number) => boolean): Promise<number> {
    const rows = await this.prisma.jobRun.findMany({
      where: { status: 'running', claimedBy: { endsWith: `@${host}` } },
      select: { id: true, claimedBy: true },
    });
    let expired = 0;
    for (const row of rows) {
      const pid = Number(/ (\d+)@/.exec(row.claimedBy ?? '')?.[1]);
      if (!Number.isInteger(pid) || isAlive(pid)) continue;
      const { count } = await this.prisma.jobRun.updateMany({
        where: { id: row.id, status: 'running', claimedBy: row.claimedBy },
        data: { heartbeatAt: null },
      });
      expired += count;
    }
    return expired;
  }

  async writeProgress(id: string, worker: string, progress: unknown): Promise<boolean> {
    const { count } = await this.prisma.jobRun.updateMany({
      where: { id, status: 'running', claimedBy: worker },
      data: { progress: progress as Prisma.InputJsonValue },
    });
    return count > 0;
  }

  /** Records the outcome; false when the run was no longer this worker's. */
  async finish(id: string, worker: string, outcome: RunOutcome): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE commerce.job_runs
         SET status = ${outcome.status}, finished_at = now(), heartbeat_at = now(),
             progress = ${json(outcome.progress)}::jsonb, result = ${json(outcome.result)}::jsonb,
             error = ${outcome.error}
       WHERE id = ${id}::uuid AND status = 'running' AND claimed_by = ${worker}`;
    return count > 0;
  }

  /** Gives the run back to the queue (a stopping worker), to be claimed and re-run. */
  async release(id: string, worker: string): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE commerce.job_runs SET status = 'queued', claimed_by = NULL, heartbeat_at = NULL
       WHERE id = ${id}::uuid AND status = 'running' AND claimed_by = ${worker}`;
    return count > 0;
  }

  /**
   * The newest `limit` runs of `kind`, newest first. `slim` drops what a history list does not
   * show: a finished run's progress, the result's node list and reconciliation.
   */
  async recent(kind: JobKind, limit: number, slim = false): Promise<JobRunView[]> {
    const rows = slim
      ? await this.prisma.$queryRaw<RunRow[]>`
          SELECT id, kind, status, started_at, finished_at, error, claimed_by, attempts,
                 scheduled_for, CASE WHEN status IN ('queued', 'running') THEN progress END AS progress,
                 result - 'nodes' - 'reconciliation' AS result
            FROM commerce.job_runs WHERE kind = ${kind} ORDER BY started_at DESC LIMIT ${limit}`
      : await this.prisma.$queryRaw<RunRow[]>`
          SELECT * FROM commerce.job_runs WHERE kind = ${kind}
           ORDER BY started_at DESC LIMIT ${limit}`;
    return rows.map(toView);
  }

  /** One run of `kind`, without the result's `omit` part (large, read elsewhere). */
  async find(kind: JobKind, id: string, omit?: string): Promise<JobRunView | null> {
    const rows = await this.prisma.$queryRaw<RunRow[]>`
      SELECT id, kind, status, started_at, finished_at, progress, error, claimed_by, attempts,
             scheduled_for, result - ${omit ?? ''}::text AS result
        FROM commerce.job_runs WHERE kind = ${kind} AND id = ${id}::uuid`;
    return rows[0] ? toView(rows[0]) : null;
  }

  /** `result -> key` of the newest run of `kind` whose result has it as an object. */
  async latestResultPart(
    kind: JobKind,
    key: string,
  ): Promise<{ runId: string; finishedAt: string | null; value: unknown } | null> {
    const rows = await this.prisma.$queryRaw<
      { id: string; finished_at: Date | null; value: unknown }[]
    >`
      SELECT id, finished_at, result -> ${key}::text AS value FROM commerce.job_runs
       WHERE kind = ${kind} AND jsonb_typeof(result -> ${key}::text) = 'object'
       ORDER BY started_at DESC LIMIT 1`;
    const r = rows[0];
    return r
      ? { runId: r.id, finishedAt: r.finished_at?.toISOString() ?? null, value: r.value }
      : null;
  }
}

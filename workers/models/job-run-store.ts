// The JobRun rows of model runs (kind 'models'): one row a run, 'running' while dbt works, its
// live progress written at most once a second, then 'succeeded' or 'failed' with the result.
// Invariant: at most one models run is 'running' at a time (the warehouse file takes one writer).
import { hostname } from 'node:os';
import type { Prisma, PrismaClient } from '../../lib/generated/prisma/client.ts';

export const MODELS_JOB_KIND = 'models';

/** A run still 'running' after this long is taken as abandoned (its process died). */
const ABANDONED_AFTER_MS = 6 * 3_600_000;
/** pg advisory lock key serializing "is a run going? if not, start one". */
const START_LOCK_KEY = 7_270_001;

export class ModelsRunInProgressError extends Error {
  constructor(readonly runningJobId: string) {
    super(`a models run is already in progress (job ${runningJobId})`);
    this.name = 'ModelsRunInProgressError';
  }
}

const asJson = (value: unknown): Prisma.InputJsonValue => value as Prisma.InputJsonValue;

/** Which process runs a job: kept in its progress, so a run whose process died is seen at once. */
interface JobOwner {
  host: string;
  pid: number;
}

const thisProcess = (): JobOwner => ({ host: hostname(), pid: process.pid });

function withOwner(progress: unknown): unknown {
  return progress && typeof progress === 'object' && !Array.isArray(progress)
    ? { ...progress, owner: thisProcess() }
    : { value: progress, owner: thisProcess() };
}

/** True when the row's owner is a process on this host that no longer exists. */
function ownerIsGone(progress: unknown): boolean {
  const owner = (progress as { owner?: Partial<JobOwner> } | null)?.owner;
  if (!owner || owner.host !== hostname() || !Number.isInteger(owner.pid)) return false;
  try {
    process.kill(owner.pid as number, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Creates the 'running' row, or throws ModelsRunInProgressError when another run is going. */
export async function startModelsJob(prisma: PrismaClient, now = new Date()): Promise<string> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(${START_LOCK_KEY}::bigint)) AS l`;
    const abandonedBefore = new Date(now.getTime() - ABANDONED_AFTER_MS);
    await tx.jobRun.updateMany({
      where: { kind: MODELS_JOB_KIND, status: 'running', startedAt: { lt: abandonedBefore } },
      data: {
        status: 'failed',
        finishedAt: now,
        error: 'abandoned: the process running it stopped',
      },
    });
    const runningRows = await tx.jobRun.findMany({
      where: { kind: MODELS_JOB_KIND, status: 'running' },
      select: { id: true, progress: true },
    });
    for (const row of runningRows) {
      if (ownerIsGone(row.progress)) {
        await tx.jobRun.update({
          where: { id: row.id },
          data: {
            status: 'failed',
            finishedAt: now,
            error: 'abandoned: the process running it stopped',
          },
        });
      } else {
        throw new ModelsRunInProgressError(row.id);
      }
    }
    const created = await tx.jobRun.create({
      data: {
        kind: MODELS_JOB_KIND,
        status: 'running',
        startedAt: now,
        progress: asJson(withOwner({})),
      },
      select: { id: true },
    });
    return created.id;
  });
}

/** Writes progress to the row at most every `intervalMs`; `flush` writes the latest at once. */
export function progressWriter(prisma: PrismaClient, jobId: string, intervalMs = 1000) {
  let latest: unknown;
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = () => {
    timer = undefined;
    if (!dirty) return writing;
    dirty = false;
    const progress = latest;
    // Writes are chained so an older progress never lands after a newer one.
    writing = writing
      .then(() =>
        prisma.jobRun.update({
          where: { id: jobId },
          data: { progress: asJson(withOwner(progress)) },
        }),
      )
      .then(
        () => undefined,
        () => undefined, // a lost progress update is not worth failing the run; the final write tells
      );
    return writing;
  };
  return {
    push(progress: unknown): void {
      latest = progress;
      dirty = true;
      timer ??= setTimeout(() => void write(), intervalMs);
    },
    async flush(): Promise<void> {
      if (timer) clearTimeout(timer);
      await write();
    },
  };
}

export interface ModelsJobOutcome {
  status: 'succeeded' | 'failed';
  progress: unknown;
  result: unknown;
  error: string | null;
}

export async function finishModelsJob(
  prisma: PrismaClient,
  jobId: string,
  outcome: ModelsJobOutcome,
  now = new Date(),
): Promise<void> {
  await prisma.jobRun.update({
    where: { id: jobId },
    data: {
      status: outcome.status,
      finishedAt: now,
      progress: asJson(outcome.progress),
      result: asJson(outcome.result),
      error: outcome.error,
    },
  });
}

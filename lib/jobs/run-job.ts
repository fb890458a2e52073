// runJob: the one way a batch job runs. It claims the run's row (a queued or abandoned run, or,
// for a CLI, a new one), keeps its heartbeat fresh, writes the job's progress to it about once a
// second, and records the outcome. The job itself only computes and reports.
// Invariants: the row is written only while this worker holds it (claimed_by); if the lease is
// lost (another worker took the run over after missing heartbeats) the job is aborted and
// nothing more is written; a job stopped by `signal` (the worker is shutting down) gives its row
// back to the queue, so a worker re-runs it (the jobs are idempotent: the Delta log and dbt).
import { hostname } from 'node:os';
import type { JobKind } from './job-kinds.ts';
import type { ClaimedRun, JobRunStore } from './job-run-store.ts';
import { throttled } from './progress-throttle.ts';
import { processIsAlive } from './worker-identity.ts';

export const DEFAULT_HEARTBEAT_MS = 5_000;

export interface JobContext {
  run: ClaimedRun;
  /** Aborted when the worker stops or loses the run: stop soon, the run will be redone. */
  signal: AbortSignal;
  /** The run's live progress; written to the row at most once per progress interval. */
  progress(progress: unknown): void;
}

export interface RunJobOptions<R> {
  store: JobRunStore;
  /** This worker (workerIdentity()): written to claimed_by. */
  worker: string;
  /**
   * 'claim': run a queued (or abandoned) run of the kind if there is one, else resolve null.
   * 'start': run now (a CLI): claim one, else add a running row; JobAlreadyActiveError if busy.
   */
  mode: 'claim' | 'start';
  /** Aborting gives the run back to the queue (a stopping worker). */
  signal?: AbortSignal;
  heartbeatMs?: number;
  progressIntervalMs?: number;
  /** A result that is a failure (dbt's failed tests): its error text, else null. */
  failureOf?: (result: R) => string | null;
  log?: (line: string) => void;
}

export class JobLeaseLostError extends Error {
  constructor(runId: string) {
    super(`run ${runId} was taken over by another worker (this one missed its heartbeats)`);
    this.name = 'JobLeaseLostError';
  }
}

export class JobReleasedError extends Error {
  constructor(runId: string) {
    super(`run ${runId} was given back to the queue: this worker is stopping`);
    this.name = 'JobReleasedError';
  }
}

export interface JobRunOutcome<R> {
  run: ClaimedRun;
  result: R;
}

/** Runs `job` as a run of `kind` (see RunJobOptions.mode); resolves with its result. */
export async function runJob<R>(
  kind: JobKind,
  job: (context: JobContext) => Promise<R>,
  options: RunJobOptions<R> & { mode: 'start' },
): Promise<JobRunOutcome<R>>;
export async function runJob<R>(
  kind: JobKind,
  job: (context: JobContext) => Promise<R>,
  options: RunJobOptions<R>,
): Promise<JobRunOutcome<R> | null>;
export async function runJob<R>(
  kind: JobKind,
  job: (context: JobContext) => Promise<R>,
  options: RunJobOptions<R>,
): Promise<JobRunOutcome<R> | null> {
  const { store, worker } = options;
  const log = options.log ?? (() => undefined);
  if (options.signal?.aborted) return null;
  // A claimer on this machine that died is known at once; elsewhere, after the lease.
  await store.expireDeadClaims(hostname(), processIsAlive);
  const run =
    options.mode === 'start' ? await store.start(kind, worker) : await store.claim([kind], worker);
  if (!run) return null;
  if (run.attempts > 1) log(`taking over run ${run.id} (attempt ${run.attempts})`);

  const abort = new AbortController();
  const stop = () => abort.abort(new JobReleasedError(run.id));
  options.signal?.addEventListener('abort', stop, { once: true });
  let lost = false;
  const heartbeat = setInterval(() => {
    store.heartbeat(run.id, worker).then(
      (held) => {
        if (held || lost) return;
        lost = true;
        clearInterval(heartbeat); // the row is someone else's (or back in the queue) now
        abort.abort(new JobLeaseLostError(run.id));
      },
      (error: unknown) => log(`heartbeat failed (retried): ${(error as Error).message}`),
    );
  }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  let latest: unknown = null;
  const writer = throttled(
    (p: unknown) => store.writeProgress(run.id, worker, p),
    options.progressIntervalMs ?? 1000,
  );
  const context: JobContext = {
    run,
    signal: abort.signal,
    progress: (p) => {
      latest = p;
      writer.update(p);
    },
  };

  try {
    const result = await job(context);
    await writer.flush();
    if (lost) throw new JobLeaseLostError(run.id);
    const error = options.failureOf?.(result) ?? null;
    await store.finish(run.id, worker, {
      status: error === null ? 'succeeded' : 'failed',
      progress: latest,
      result,
      error,
    });
    return { run, result };
  } catch (error) {
    await writer.flush();
    if (lost) throw new JobLeaseLostError(run.id);
    if (abort.signal.aborted) {
      // Stopped by the worker's shutdown: the run goes back to the queue and is redone.
      await store.release(run.id, worker).catch(() => undefined);
      throw new JobReleasedError(run.id);
    }
    const message = error instanceof Error ? error.message : String(error);
    await store
      .finish(run.id, worker, { status: 'failed', progress: latest, result: null, error: message })
      .catch((e: unknown) => log(`could not record the failure: ${(e as Error).message}`));
    throw error;
  } finally {
    clearInterval(heartbeat);
    options.signal?.removeEventListener('abort', stop);
  }
}

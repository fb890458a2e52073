// The jobs worker's loop: about once a second, for each job kind it is not already running, it
// claims a queued (or abandoned) run and runs it through runJob. One run per kind at a time in a
// worker, and in the whole deployment (the store allows one queued-or-running run per kind).
// stop(): claims nothing more, aborts the runs going (they stop at their next safe point: a dbt
// child is cancelled, an export stops between steps) and gives their rows back to the queue, so
// another worker (or this one restarted) re-runs them; the export is exactly-once through the
// Delta log and dbt is idempotent, so a re-run is safe.
import type { JobKind } from '../../lib/jobs/job-kinds.ts';
import type { JobRunStore } from '../../lib/jobs/job-run-store.ts';
import {
  JobLeaseLostError,
  JobReleasedError,
  runJob,
  type JobContext,
} from '../../lib/jobs/run-job.ts';

export interface JobHandler {
  run: (context: JobContext) => Promise<unknown>;
  /** A result that is a failure (dbt's failed tests): its error text, else null. */
  failureOf?: (result: never) => string | null;
}

export interface JobsWorkerOptions {
  store: JobRunStore;
  /** workerIdentity('jobs'): written to each claimed row. */
  worker: string;
  handlers: Record<JobKind, JobHandler>;
  pollMs?: number;
  heartbeatMs?: number;
  log?: (line: string) => void;
}

export interface JobsWorker {
  /** The runs going in this worker. */
  running(): { kind: JobKind; runId: string }[];
  /** Stops claiming, aborts the runs going, waits up to `graceMs`, gives back what is left. */
  stop(graceMs: number): Promise<void>;
}

export function startJobsWorker(options: JobsWorkerOptions): JobsWorker {
  const { store, worker } = options;
  const log = options.log ?? (() => undefined);
  const stopping = new AbortController();
  const active = new Map<JobKind, { runId: string | null; done: Promise<void> }>();
  let timer: NodeJS.Timeout | undefined;
  let claimErrorLogged = false;

  const start = (kind: JobKind) => {
    const handler = options.handlers[kind];
    const entry: { runId: string | null; done: Promise<void> } = {
      runId: null,
      done: Promise.resolve(),
    };
    active.set(kind, entry);
    entry.done = runJob(
      kind,
      (context) => {
        entry.runId = context.run.id;
        log(`${kind} run ${context.run.id} started (attempt ${context.run.attempts})`);
        return handler.run(context);
      },
      {
        store,
        worker,
        mode: 'claim',
        signal: stopping.signal,
        heartbeatMs: options.heartbeatMs,
        failureOf: handler.failureOf as ((result: unknown) => string | null) | undefined,
        log: (line) => log(`${kind}: ${line}`),
      },
    )
      .then(
        (outcome) => {
          claimErrorLogged = false;
          if (outcome) log(`${kind} run ${outcome.run.id} finished`);
        },
        (error: unknown) => {
          if (error instanceof JobReleasedError || error instanceof JobLeaseLostError) {
            log(`${kind}: ${error.message}`);
          } else if (entry.runId) {
            log(`${kind} run ${entry.runId} failed: ${(error as Error).message}`);
          } else if (!claimErrorLogged) {
            // The database is away: retried every poll, logged once until a claim works again.
            claimErrorLogged = true;
            log(`cannot claim ${kind} runs (retrying): ${(error as Error).message}`);
          }
        },
      )
      .finally(() => {
        if (active.get(kind) === entry) active.delete(kind);
      });
  };

  const poll = () => {
    if (stopping.signal.aborted) return;
    for (const kind of Object.keys(options.handlers) as JobKind[]) {
      if (!active.has(kind)) start(kind);
    }
    timer = setTimeout(poll, options.pollMs ?? 1_000);
  };
  poll();

  return {
    running: () => [...active].flatMap(([kind, e]) => (e.runId ? [{ kind, runId: e.runId }] : [])),
    stop: async (graceMs) => {
      if (timer) clearTimeout(timer);
      stopping.abort();
      const entries = [...active.values()];
      let timeout: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timeout = setTimeout(() => resolve('timeout'), graceMs);
      });
      const settled = await Promise.race([
        Promise.all(entries.map((e) => e.done)).then(() => 'settled' as const),
        timedOut,
      ]);
      clearTimeout(timeout);
      if (settled === 'timeout') {
        // A step that does not stop in time (a long read, a commit): give the rows back anyway.
        // Exiting now is safe: uncommitted files are never referenced, and the run is redone.
        for (const e of entries) {
          if (e.runId) await store.release(e.runId, worker).catch(() => undefined);
        }
        log(`gave back ${entries.length} run(s) still stopping after ${graceMs} ms`);
      }
    },
  };
}

// Run bookkeeping for the lake export in PostgreSQL: a session advisory lock so only one export
// runs at a time across every process using this database (released by the server if the process
// dies), and the commerce.job_runs row (kind 'lake_export') with live progress and the outcome.
import type pg from 'pg';

/** pg_try_advisory_lock(int4, int4) keys: 'clks', 'lake'. */
const LOCK_KEYS = [0x636c6b73, 0x6c616b65] as const;

export const JOB_KIND = 'lake_export';

export type JobStatus = 'running' | 'succeeded' | 'failed';

export class LakeExportAlreadyRunningError extends Error {
  constructor(readonly running?: { id: string; startedAt: Date }) {
    super(
      running
        ? `a lake export is already running (run ${running.id}, started ${running.startedAt.toISOString()}); not starting another`
        : 'a lake export is already running; not starting another',
    );
    this.name = 'LakeExportAlreadyRunningError';
  }
}

/** True while some session holds the export lock (any process using this database). */
export async function isExportRunning(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ running: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND classid = $1::int::oid AND objid = $2::int::oid
          AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
     ) AS running`,
    [LOCK_KEYS[0], LOCK_KEYS[1]],
  );
  return rows[0]?.running === true;
}

/** The newest run still marked running, if any. */
export async function currentRun(
  pool: pg.Pool,
): Promise<{ id: string; startedAt: Date } | undefined> {
  const { rows } = await pool.query<{ id: string; started_at: Date }>(
    `SELECT id, started_at FROM commerce.job_runs WHERE kind = $1 AND status = 'running'
      ORDER BY started_at DESC LIMIT 1`,
    [JOB_KIND],
  );
  const row = rows[0];
  return row ? { id: row.id, startedAt: row.started_at } : undefined;
}

export interface ExportLock {
  release(): Promise<void>;
}

/** Takes the export lock on a dedicated connection, or throws LakeExportAlreadyRunningError. */
export async function acquireExportLock(pool: pg.Pool): Promise<ExportLock> {
  const client = await pool.connect();
  // The lock's connection is held for the whole export: if the server drops it, pg emits
  // 'error' on the client, which would crash the process without a listener. The lock is then
  // gone with the session; the export's Delta commits stay safe (put-if-absent).
  client.on('error', (error) => {
    console.error(`[lake] export lock connection lost: ${error.message}`);
  });
  let locked = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS locked',
      [LOCK_KEYS[0], LOCK_KEYS[1]],
    );
    locked = rows[0]?.locked === true;
  } catch (error) {
    client.release(true);
    throw error;
  }
  if (!locked) {
    client.release();
    throw new LakeExportAlreadyRunningError(await currentRun(pool).catch(() => undefined));
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      try {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_KEYS[0], LOCK_KEYS[1]]);
        client.release();
      } catch {
        client.release(true); // dropping the connection releases the lock too
      }
    },
  };
}

/** Marks runs left 'running' by a process that died; call only while holding the lock. */
export async function failInterruptedRuns(pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE commerce.job_runs
        SET status = 'failed', finished_at = now(),
            error = 'interrupted: the process running this export stopped before it finished'
      WHERE kind = $1 AND status = 'running'`,
    [JOB_KIND],
  );
  return rowCount ?? 0;
}

export async function insertRun(
  pool: pg.Pool,
  progress: unknown,
): Promise<{ id: string; startedAt: Date }> {
  const { rows } = await pool.query<{ id: string; started_at: Date }>(
    `INSERT INTO commerce.job_runs (kind, status, progress) VALUES ($1, 'running', $2::jsonb)
     RETURNING id, started_at`,
    [JOB_KIND, JSON.stringify(progress)],
  );
  const row = rows[0]!;
  return { id: row.id, startedAt: row.started_at };
}

export async function updateRunProgress(
  pool: pg.Pool,
  id: string,
  progress: unknown,
): Promise<void> {
  await pool.query(
    `UPDATE commerce.job_runs SET progress = $2::jsonb WHERE id = $1 AND status = 'running'`,
    [id, JSON.stringify(progress)],
  );
}

export async function finishRun(
  pool: pg.Pool,
  id: string,
  outcome: {
    status: Exclude<JobStatus, 'running'>;
    progress: unknown;
    result: unknown;
    error?: string;
  },
): Promise<void> {
  await pool.query(
    `UPDATE commerce.job_runs
        SET status = $2, finished_at = now(), progress = $3::jsonb, result = $4::jsonb, error = $5
      WHERE id = $1`,
    [
      id,
      outcome.status,
      JSON.stringify(outcome.progress),
      JSON.stringify(outcome.result),
      outcome.error ?? null,
    ],
  );
}

/**
 * Calls `write` at most once per `intervalMs` with the latest value, never two at once; `flush`
 * writes the last value and waits. Progress writes must not slow the export down.
 */
export function throttled<T>(write: (value: T) => Promise<void>, intervalMs: number) {
  let latest: T | undefined;
  let dirty = false;
  let inFlight: Promise<void> | undefined;
  let lastAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    timer = undefined;
    if (!dirty || inFlight) return;
    dirty = false;
    lastAt = Date.now();
    const value = latest as T;
    inFlight = write(value)
      .catch(() => undefined) // progress is best effort; the final write reports errors
      .finally(() => {
        inFlight = undefined;
        if (dirty) schedule();
      });
  };
  const schedule = () => {
    if (timer || inFlight) return;
    timer = setTimeout(run, Math.max(0, intervalMs - (Date.now() - lastAt)));
  };
  return {
    update(value: T) {
      latest = value;
      dirty = true;
      schedule();
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
  };
}

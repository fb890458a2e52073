// The admin page's lake export: starts `runLakeExport` inside the web process (at most one run;
// the export's own advisory lock also refuses a run started elsewhere) and reads what the page
// shows: recent runs from commerce.job_runs (kind 'lake_export'), the tables, their Delta history.
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { LakeTableName } from '../lake/lake-tables.ts';
import type { LakeExportProgress } from '../../workers/lake/export.ts';
import type { HistoryEntry, TableSummary } from '../lake/table-history.ts';

export interface JobRunView {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  progress: unknown;
  result: unknown;
  error: string | null;
}

export interface LakeStatus {
  running: boolean;
  /** The run going now (in this process or another), with its latest progress. */
  current: {
    id: string | null;
    startedAt: string | null;
    progress: LakeExportProgress | null;
  } | null;
  runs: JobRunView[];
}

export type StartOutcome =
  { started: true; runId: string | null } | { started: false; message: string };

export const LAKE_JOB_KIND = 'lake_export';
/** How long a start request waits for the run's first progress (its job_runs id). */
const START_WAIT_MS = 5_000;

interface JobRunRow {
  id: string;
  status: JobRunView['status'];
  started_at: Date;
  finished_at: Date | null;
  progress: unknown;
  result: unknown;
  error: string | null;
}

/**
 * The newest `limit` job_runs rows of `kind`, newest first. `slim` drops what a history list does
 * not show (a finished run's progress, the result's node list and reconciliation).
 */
export async function recentJobRuns(
  pool: pg.Pool,
  kind: string,
  limit: number,
  slim = false,
): Promise<JobRunView[]> {
  const columns = slim
    ? `CASE WHEN status = 'running' THEN progress END AS progress,
       result - 'nodes' - 'reconciliation' AS result`
    : 'progress, result';
  const { rows } = await pool.query<JobRunRow>(
    `SELECT id, status, started_at, finished_at, ${columns}, error
       FROM commerce.job_runs WHERE kind = $1 ORDER BY started_at DESC LIMIT $2`,
    [kind, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    durationMs: r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
    progress: r.progress,
    result: r.result,
    error: r.error,
  }));
}

export interface LakeAdminOptions {
  lakeUri: string;
  topics: { clicks: string; checkouts: string };
  groupIdPrefix: string;
  /** MAX_FUTURE_SKEW_MS, for the export's parser. */
  maxFutureSkewMs: number;
  pool: pg.Pool;
  kafka: () => Kafka;
  log: (message: string) => void;
}

// The export modules load parquet-wasm: imported when first needed, not when the page renders.
const exportModule = () => import('../../workers/lake/export.ts');
const jobRunsModule = () => import('../../workers/lake/job-runs.ts');
const historyModule = () => import('../lake/table-history.ts');

export class LakeAdmin {
  private running: { progress: LakeExportProgress | null; startedAt: string } | null = null;

  constructor(private readonly options: LakeAdminOptions) {}

  /** Starts an export unless one is going (here or in any process on this database). */
  async start(): Promise<StartOutcome> {
    const { isExportRunning, currentRun, LakeExportAlreadyRunningError } = await jobRunsModule();
    const alreadyRunning = async (): Promise<StartOutcome> => {
      const run = await currentRun(this.options.pool).catch(() => undefined);
      return { started: false, message: new LakeExportAlreadyRunningError(run).message };
    };
    if (this.running) return alreadyRunning();
    // Claimed before the first await, so two requests at once cannot both get past here.
    const state: { progress: LakeExportProgress | null; startedAt: string } = {
      progress: null,
      startedAt: new Date().toISOString(),
    };
    this.running = state;
    const release = () => {
      if (this.running === state) this.running = null;
    };
    let runLakeExport: Awaited<ReturnType<typeof exportModule>>['runLakeExport'];
    try {
      if (await isExportRunning(this.options.pool)) {
        release();
        return alreadyRunning();
      }
      ({ runLakeExport } = await exportModule());
    } catch (error) {
      release();
      throw error;
    }
    let firstProgress!: () => void;
    const gotProgress = new Promise<void>((resolve) => (firstProgress = resolve));
    const run = runLakeExport(
      {
        lakeUri: this.options.lakeUri,
        topics: this.options.topics,
        kafka: this.options.kafka(),
        pool: this.options.pool,
        groupIdPrefix: this.options.groupIdPrefix,
        maxFutureSkewMs: this.options.maxFutureSkewMs,
        log: (line) => this.options.log(`lake export: ${line}`),
      },
      (progress) => {
        state.progress = progress;
        firstProgress();
      },
    );
    run.then(
      (result) =>
        this.options.log(`lake export ${result.runId} committed in ${result.durationMs} ms`),
      (error: unknown) =>
        this.options.log(
          `lake export failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
    const settled = run.then(
      () => 'done' as const,
      (error: unknown) => error,
    );
    void settled.finally(release);
    const first = await Promise.race([
      gotProgress.then(() => 'progress' as const),
      settled,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), START_WAIT_MS)),
    ]);
    if (first instanceof LakeExportAlreadyRunningError) return alreadyRunning();
    if (first instanceof Error) return { started: false, message: first.message };
    return { started: true, runId: state.progress?.runId ?? null };
  }

  async status(limit = 20): Promise<LakeStatus> {
    const { isExportRunning } = await jobRunsModule();
    const [runs, lockHeld] = await Promise.all([
      recentJobRuns(this.options.pool, LAKE_JOB_KIND, limit),
      isExportRunning(this.options.pool),
    ]);
    const mine = this.running;
    const runningRow = runs.find((r) => r.status === 'running');
    let current: LakeStatus['current'] = null;
    if (mine) {
      current = {
        id: mine.progress?.runId ?? runningRow?.id ?? null,
        startedAt: mine.progress?.startedAt ?? mine.startedAt,
        progress: mine.progress,
      };
    } else if (lockHeld && runningRow) {
      // Started by another process (the daily schedule, `npm run lake:export`): its row's progress.
      current = {
        id: runningRow.id,
        startedAt: runningRow.startedAt,
        progress: runningRow.progress as LakeExportProgress | null,
      };
    }
    return { running: mine !== null || lockHeld, current, runs };
  }

  async tables(): Promise<TableSummary[]> {
    const { lakeSummary } = await historyModule();
    return lakeSummary(this.options.lakeUri);
  }

  async history(table: LakeTableName): Promise<HistoryEntry[]> {
    const { lakeTableHistory } = await historyModule();
    return lakeTableHistory(this.options.lakeUri, table);
  }

  async rowCountAt(
    table: LakeTableName,
    version: number,
  ): Promise<{ version: number; rows: number | null; files: number }> {
    const { lakeRowCountAt } = await historyModule();
    return lakeRowCountAt(this.options.lakeUri, table, version);
  }
}

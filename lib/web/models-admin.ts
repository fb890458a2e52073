// The admin page's model runs: starts `runModels` (dbt build over the lake, then the
// reconciliation read-back and the docs site) inside the web process, at most one at a time (the
// JobRun 'running' row guards it across processes), and reads the runs and the latest
// reconciliation back from commerce.job_runs (kind 'models'), where the job records its result.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { PrismaClient } from '../db/client.ts';
import type { ModelsRunProgress } from '../../workers/models/run-models.ts';
import type { Reconciliation } from '../../workers/models/reconciliation.ts';
import type { NodeResult } from '../../workers/models/run-results.ts';
import { recentJobRuns, type JobRunView, type StartOutcome } from './lake-admin.ts';

export const MODELS_JOB_KIND = 'models';
const START_WAIT_MS = 5_000;

/** Progress before dbt starts: the Python tools are checked (installed on a fresh machine). */
export type ModelsAdminProgress = ModelsRunProgress | { phase: 'python' };

export interface ModelsStatus {
  running: boolean;
  current: { id: string | null; startedAt: string; progress: ModelsAdminProgress | null } | null;
  /** Newest first; `result` without its node list and reconciliation (see `run`). */
  runs: JobRunView[];
}

export interface LatestReconciliation {
  runId: string;
  finishedAt: string | null;
  reconciliation: Reconciliation;
}

export interface ModelsAdminOptions {
  /** The repository root: the dbt project, .venv and relative paths are under it. */
  baseDir: string;
  lakeUri: string;
  pool: pg.Pool;
  prisma: () => PrismaClient;
  log: (message: string) => void;
}

const isUrl = (uri: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(uri);

/**
 * The DuckDB warehouse beside a local lake (`<lake>/../warehouse/clickstream.duckdb`: for the
 * default ./data/lake that is the CLI's data/warehouse/clickstream.duckdb), so a second lake
 * (the browser tests') never writes into the first one's incremental models.
 */
export function warehousePathFor(lakeUri: string, baseDir: string): string {
  if (isUrl(lakeUri)) return path.join(baseDir, 'data', 'warehouse', 'clickstream.duckdb');
  return path.join(path.dirname(path.resolve(baseDir, lakeUri)), 'warehouse', 'clickstream.duckdb');
}

/** Makes sure .venv matches requirements.txt, in a child process (pip must not block the server). */
function ensurePythonEnvInChild(baseDir: string, log: (m: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--eval',
        "import('./scripts/python-env.ts').then((m) => m.ensurePythonEnv()).catch((e) => { console.error(e.message); process.exit(1); })",
      ],
      { cwd: baseDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        log(`python env: ${output}`);
        reject(
          new Error(`could not prepare the Python tools (.venv): ${output.trim().slice(-500)}`),
        );
      }
    });
  });
}

export class ModelsAdmin {
  private running: { id: string | null; startedAt: string; progress: ModelsAdminProgress } | null =
    null;

  constructor(private readonly options: ModelsAdminOptions) {}

  /** Where `dbt docs generate` writes the docs site (index.html, manifest.json, catalog.json). */
  get docsDir(): string {
    return path.join(this.options.baseDir, 'dbt', 'target');
  }

  /** Starts a models run unless one is going (here or, per its JobRun row, anywhere). */
  async start(): Promise<StartOutcome> {
    if (this.running) {
      return {
        started: false,
        message: `a models run is already in progress${this.running.id ? ` (job ${this.running.id})` : ''}`,
      };
    }
    const { baseDir, lakeUri } = this.options;
    const lake = path.resolve(baseDir, lakeUri);
    if (!isUrl(lakeUri) && !existsSync(path.join(lake, 'clicks', '_delta_log'))) {
      return {
        started: false,
        message: `There is no lake at ${lake} yet: run the lake export first, then the models.`,
      };
    }
    const state: { id: string | null; startedAt: string; progress: ModelsAdminProgress } = {
      id: null,
      startedAt: new Date().toISOString(),
      progress: { phase: 'python' },
    };
    this.running = state;
    let jobStarted!: () => void;
    const gotJob = new Promise<void>((resolve) => (jobStarted = resolve));

    const run = (async () => {
      await ensurePythonEnvInChild(baseDir, this.options.log);
      const { runModels } = await import('../../workers/models/run-models.ts');
      return runModels(
        {
          dbt: path.join(baseDir, '.venv', 'bin', 'dbt'),
          baseDir,
          target: 'local',
          lakeUri,
          warehousePath: warehousePathFor(lakeUri, baseDir),
          prisma: this.options.prisma(),
          onJobStarted: (id) => {
            state.id = id;
            jobStarted();
          },
        },
        (progress) => {
          state.progress = progress;
        },
      );
    })();
    const settled = run.then(
      (result) => {
        this.options.log(
          `models run ${result.jobId ?? ''} ${result.ok ? 'succeeded' : 'failed'} in ${result.seconds.toFixed(1)} s`,
        );
        return 'done' as const;
      },
      (error: unknown) => {
        this.options.log(
          `models run failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        return error instanceof Error ? error : new Error(String(error));
      },
    );
    void settled.finally(() => {
      if (this.running === state) this.running = null;
    });
    const first = await Promise.race([
      gotJob.then(() => 'job' as const),
      settled,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), START_WAIT_MS)),
    ]);
    if (first instanceof Error) return { started: false, message: first.message };
    return { started: true, runId: state.id };
  }

  async status(limit = 20): Promise<ModelsStatus> {
    const runs = await recentJobRuns(this.options.pool, MODELS_JOB_KIND, limit, true);
    const mine = this.running;
    const runningRow = runs.find((r) => r.status === 'running');
    let current: ModelsStatus['current'] = null;
    if (mine) current = { ...mine };
    else if (runningRow) {
      // Started by another process (`npm run models`, the daily schedule): its row's progress.
      current = {
        id: runningRow.id,
        startedAt: runningRow.startedAt,
        progress: runningRow.progress as ModelsAdminProgress | null,
      };
    }
    return { running: current !== null, current, runs };
  }

  /** One run with every node's result (timings, failures). */
  async run(id: string): Promise<(JobRunView & { nodes: NodeResult[] }) | null> {
    const { rows } = await this.options.pool.query<{
      id: string;
      status: JobRunView['status'];
      started_at: Date;
      finished_at: Date | null;
      progress: unknown;
      result: { nodes?: NodeResult[] } | null;
      error: string | null;
    }>(
      `SELECT id, status, started_at, finished_at, progress, result - 'reconciliation' AS result, error
         FROM commerce.job_runs WHERE kind = $1 AND id = $2::uuid`,
      [MODELS_JOB_KIND, id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      status: r.status,
      startedAt: r.started_at.toISOString(),
      finishedAt: r.finished_at?.toISOString() ?? null,
      durationMs: r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
      progress: null,
      result: r.result,
      error: r.error,
      nodes: r.result?.nodes ?? [],
    };
  }

  /** The reconciliation of the newest run that produced one. */
  async latestReconciliation(): Promise<LatestReconciliation | null> {
    const { rows } = await this.options.pool.query<{
      id: string;
      finished_at: Date | null;
      reconciliation: Reconciliation;
    }>(
      `SELECT id, finished_at, result -> 'reconciliation' AS reconciliation
         FROM commerce.job_runs
        WHERE kind = $1 AND jsonb_typeof(result -> 'reconciliation') = 'object'
        ORDER BY started_at DESC LIMIT 1`,
      [MODELS_JOB_KIND],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      runId: r.id,
      finishedAt: r.finished_at?.toISOString() ?? null,
      reconciliation: r.reconciliation,
    };
  }
}

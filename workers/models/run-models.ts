// Runs the dbt project as a job: `dbt build` with live progress per model and test (from dbt's
// JSON log), the final per-node record (run_results.json), the latest layer reconciliation read
// back for the admin page, and the docs site. The jobs worker runs it inside its runJob (`runId`);
// `npm run models` may record it as a run of its own (`prisma`), through the same runJob.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../../lib/generated/prisma/client.ts';
import { JobRunStore } from '../../lib/jobs/job-run-store.ts';
import type {
  AttributionPublication,
  ModelsPhase,
  ModelsRunProgress,
  ModelsRunResult,
} from '../../lib/jobs/models-contract.ts';
import { runJob } from '../../lib/jobs/run-job.ts';
import { workerIdentity } from '../../lib/jobs/worker-identity.ts';
import { publishAttribution } from './attribution-publication.ts';
import { runDbt } from './dbt-process.ts';
import {
  buildArgs,
  dbtEnvironment,
  docsGenerateArgs,
  showArgs,
  type DbtSettings,
  type DbtTarget,
  type Environment,
} from './dbt-command.ts';
import { applyDbtEvent, emptyProgress, hasFailures, parseDbtLogLine } from './dbt-log.ts';
import {
  layerDifferencesQuery,
  reconciliationDaysQuery,
  toLayerDifferences,
  toReconciliationDays,
  type Reconciliation,
} from './reconciliation.ts';
import { failedNodes, parseRunResults } from './run-results.ts';

export type { ModelsPhase, ModelsRunProgress, ModelsRunResult };

export const DEFAULT_WAREHOUSE_PATH = 'data/warehouse/clickstream.duckdb';

export interface RunModelsOptions {
  /** The venv's dbt executable: `ensurePythonEnv()` then `venvBin('dbt')` (scripts/python-env.ts). */
  dbt: string;
  /** The repository root: relative paths are resolved against it. */
  baseDir: string;
  /** The dbt project folder. Default `<baseDir>/dbt`. */
  projectDir?: string;
  target: DbtTarget;
  /** The lake's root (Config.LAKE_URI). */
  lakeUri: string;
  /** The local target's DuckDB file. Default data/warehouse/clickstream.duckdb. */
  warehousePath?: string;
  threads?: number;
  /** Rebuild the incremental models from the whole lake. */
  fullRefresh?: boolean;
  /** dbt node selection; default: everything. */
  select?: string;
  /** Write the docs site (`dbt docs generate`, into <projectDir>/target). Default true. */
  generateDocs?: boolean;
  /** Read the reconciliation back into the result. Default true. */
  readReconciliation?: boolean;
  /** At most this many differing checkouts in the result. Default 200. */
  differencesLimit?: number;
  /**
   * Record the run as a job_runs row (kind 'models') through runJob; refuses to start
   * (JobAlreadyActiveError) while another models run is queued or running.
   */
  prisma?: PrismaClient;
  /**
   * Where a successful local build publishes the attribution models (commerce.attribution_credits,
   * commerce.attribution_by_channel; lib/jobs/models-contract.ts). Default: `prisma`, if given;
   * without either nothing is published.
   */
  attributionDb?: PrismaClient;
  /** Publish the attribution models when the build succeeded. Default true. */
  publishAttribution?: boolean;
  /** The run's id when the caller already holds its row (the jobs worker's runJob). */
  runId?: string;
  signal?: AbortSignal;
  /** The environment dbt inherits (Redshift credentials reach it this way). Default: this process's. */
  env?: Environment;
}

/** Output lines that are not dbt events are kept (the last few) to explain a crash. */
const KEEP_OUTPUT_LINES = 20;

export async function runModels(
  options: RunModelsOptions,
  onProgress: (progress: ModelsRunProgress) => void = () => undefined,
): Promise<ModelsRunResult> {
  if (!options.prisma) return buildModels(options, onProgress);
  const { result } = await runJob(
    'models',
    ({ run, progress, signal }) =>
      buildModels({ ...options, runId: run.id, signal: options.signal ?? signal }, (p) => {
        onProgress(p);
        progress(p);
      }),
    {
      store: new JobRunStore(options.prisma),
      worker: workerIdentity('models'),
      mode: 'start',
      signal: options.signal,
      failureOf: (r) => (r.ok ? null : failureSummary(r)),
    },
  );
  return result;
}

/** `dbt build` and what follows, reporting progress; records nothing. */
async function buildModels(
  options: RunModelsOptions,
  onProgress: (progress: ModelsRunProgress) => void,
): Promise<ModelsRunResult> {
  const started = Date.now();
  const projectDir = options.projectDir ?? path.join(options.baseDir, 'dbt');
  const settings: DbtSettings = {
    projectDir,
    target: options.target,
    lakeUri: options.lakeUri,
    warehousePath: options.warehousePath ?? DEFAULT_WAREHOUSE_PATH,
    baseDir: options.baseDir,
    threads: options.threads,
  };
  const env = dbtEnvironment(settings, options.env ?? process.env);
  if (options.target === 'local')
    mkdirSync(path.dirname(env.DBT_DUCKDB_PATH!), { recursive: true });

  const jobId = options.runId ?? null;
  let progress: ModelsRunProgress = { ...emptyProgress(), phase: 'build' };
  const publish = (next: ModelsRunProgress) => {
    progress = next;
    onProgress(progress);
  };
  const output: string[] = [];

  const invoke = async (
    args: string[],
    onEvent: (e: NonNullable<ReturnType<typeof parseDbtLogLine>>) => void,
  ) =>
    runDbt({
      dbt: options.dbt,
      args,
      cwd: projectDir,
      env,
      signal: options.signal,
      onLine: (line) => {
        const event = parseDbtLogLine(line);
        if (!event) return;
        if (event.kind === 'output') {
          output.push(event.text);
          if (output.length > KEEP_OUTPUT_LINES) output.shift();
        }
        onEvent(event);
      },
    });

  publish(progress);
  // A stale file from an earlier run must not pass for this run's results.
  const runResultsFile = path.join(projectDir, 'target', 'run_results.json');
  rmSync(runResultsFile, { force: true });
  const buildStarted = Date.now();
  const exitCode = await invoke(
    buildArgs({ fullRefresh: options.fullRefresh, select: options.select }),
    (event) => {
      const next = applyDbtEvent(progress, event);
      if (next !== progress) publish({ ...next, phase: progress.phase });
    },
  );
  const buildSeconds = (Date.now() - buildStarted) / 1000;

  const runResults = existsSync(runResultsFile)
    ? parseRunResults(readFileSync(runResultsFile, 'utf8'))
    : null;
  const errors = [...progress.errors];
  // A crash (exit 2) without a dbt error event: what it printed is the only explanation.
  if (exitCode !== 0 && errors.length === 0 && !hasFailures(progress)) errors.push(...output);
  const builtReports = progress.nodes.some(
    (n) => n.name === 'rpt_layer_reconciliation' && n.status === 'success',
  );

  let reconciliation: Reconciliation | null = null;
  if ((options.readReconciliation ?? true) && builtReports) {
    publish({ ...progress, phase: 'reconciliation' });
    reconciliation = await readReconciliation(invoke, options.differencesLimit ?? 200);
  }
  let attribution: AttributionPublication | null = null;
  const attributionDb = options.attributionDb ?? options.prisma;
  const builtAttribution = ['fct_attribution_credits', 'rpt_attribution_by_channel'].every((name) =>
    progress.nodes.some(
      (n) => n.name === name && n.resourceType === 'model' && n.status === 'success',
    ),
  );
  // Only a build whose every model and test passed replaces what the web shows.
  if (
    (options.publishAttribution ?? true) &&
    attributionDb &&
    options.target === 'local' &&
    exitCode === 0 &&
    !hasFailures(progress) &&
    builtAttribution
  ) {
    publish({ ...progress, phase: 'publish', publish: { credits: 0, byChannel: 0 } });
    try {
      attribution = await publishAttribution({
        python: path.join(path.dirname(options.dbt), 'python'),
        warehousePath: env.DBT_DUCKDB_PATH!,
        db: attributionDb,
        signal: options.signal,
        onProgress: (p) => publish({ ...progress, publish: p }),
      });
    } catch (error) {
      errors.push(`publishing the attribution models failed: ${(error as Error).message}`);
    }
  }
  let docsGenerated = false;
  if ((options.generateDocs ?? true) && exitCode !== 2) {
    publish({ ...progress, phase: 'docs' });
    docsGenerated = (await invoke(docsGenerateArgs(), () => undefined)) === 0;
  }

  // run_results.json also lists the project hooks (resource type `other` here): not models.
  const nodes = (runResults?.results ?? []).filter((r) => r.resourceType !== 'other');
  const ok = exitCode === 0 && !hasFailures(progress) && errors.length === 0;
  const result: ModelsRunResult = {
    jobId,
    ok,
    target: options.target,
    fullRefresh: options.fullRefresh ?? false,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    buildSeconds,
    dbtVersion: runResults?.dbtVersion ?? null,
    counts: progress.counts,
    nodes,
    failures: failedNodes(runResults?.results ?? []),
    errors,
    reconciliation,
    attribution,
    docsGenerated,
  };
  publish({ ...progress, phase: 'done' });
  return result;
}

type Invoke = (
  args: string[],
  onEvent: (e: NonNullable<ReturnType<typeof parseDbtLogLine>>) => void,
) => Promise<number>;

async function showRows(invoke: Invoke, query: string, limit: number): Promise<unknown[] | null> {
  let rows: unknown[] | null = null;
  const code = await invoke(showArgs(query, limit), (event) => {
    if (event.kind === 'show') rows = event.rows;
  });
  return code === 0 ? rows : null;
}

async function readReconciliation(
  invoke: Invoke,
  differencesLimit: number,
): Promise<Reconciliation | null> {
  const days = await showRows(invoke, reconciliationDaysQuery, 5000);
  const differences = await showRows(invoke, layerDifferencesQuery, differencesLimit + 1);
  if (!days || !differences) return null;
  return { days: toReconciliationDays(days), ...toLayerDifferences(differences, differencesLimit) };
}

/** One line for JobRun.error: what failed, by name. */
export function failureSummary(result: Pick<ModelsRunResult, 'failures' | 'errors'>): string {
  const parts = result.failures.map(
    (f) =>
      `${f.resourceType} ${f.name}: ${f.status}${f.message ? ` (${f.message.split('\n')[0]})` : ''}`,
  );
  return (
    [...result.errors.map((e) => e.split('\n').slice(0, 3).join(' ')), ...parts]
      .join('; ')
      .slice(0, 4000) || 'dbt build failed'
  );
}

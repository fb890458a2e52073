// The admin page's batch jobs, as the web sees them: it enqueues a run (the jobs worker claims
// and runs it; the web never runs a job) and reads the runs, with the live progress the worker
// writes to the row. One run of a kind at a time: the store refuses a second (409 here).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../db/client.ts';
import type { JobKind } from '../jobs/job-kinds.ts';
import { JobAlreadyActiveError, type JobRunView, type JobStatusView } from '../jobs/job-run.ts';
import { JobRunStore } from '../jobs/job-run-store.ts';
import type { LatestReconciliation, NodeResult, Reconciliation } from '../jobs/models-contract.ts';

export type EnqueueResult =
  { started: true; runId: string } | { started: false; conflict: boolean; message: string };

export interface JobsAdminOptions {
  prisma: () => PrismaClient;
  /** LAKE_URI: the models need a lake to read. */
  lakeUri: string;
  /** The repository root: relative lake paths and the dbt docs are under it. */
  baseDir: string;
}

const isUrl = (uri: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(uri);

export class JobsAdmin {
  private storeInstance: JobRunStore | undefined;

  constructor(private readonly options: JobsAdminOptions) {}

  private get store(): JobRunStore {
    return (this.storeInstance ??= new JobRunStore(this.options.prisma()));
  }

  /** Where the jobs worker's `dbt docs generate` writes the docs site (served at /dbt-docs). */
  get docsDir(): string {
    return path.join(this.options.baseDir, 'dbt', 'target');
  }

  /** Queues a run of `kind` for the jobs worker, unless one is queued or running. */
  async enqueue(kind: JobKind): Promise<EnqueueResult> {
    if (kind === 'models') {
      const { baseDir, lakeUri } = this.options;
      const lake = path.resolve(baseDir, lakeUri);
      if (!isUrl(lakeUri) && !existsSync(path.join(lake, 'clicks', '_delta_log'))) {
        return {
          started: false,
          conflict: true,
          message: `There is no lake at ${lake} yet: run the lake export first, then the models.`,
        };
      }
    }
    const outcome = await this.store.enqueue(kind);
    if (outcome.queued) return { started: true, runId: outcome.run.id };
    return {
      started: false,
      conflict: true,
      message: new JobAlreadyActiveError(kind, outcome.active).message,
    };
  }

  async status(kind: JobKind, limit = 20): Promise<JobStatusView> {
    const runs = await this.store.recent(kind, limit, kind === 'models');
    const current = runs.find((r) => r.status === 'queued' || r.status === 'running') ?? null;
    return { running: current !== null, current, runs };
  }

  /** One models run with every node's result (timings, failures). */
  async modelsRun(id: string): Promise<(JobRunView & { nodes: NodeResult[] }) | null> {
    const run = await this.store.find('models', id, 'reconciliation');
    if (!run) return null;
    const result = run.result as { nodes?: NodeResult[] } | null;
    return { ...run, progress: null, nodes: result?.nodes ?? [] };
  }

  /** The reconciliation of the newest models run that produced one. */
  async latestReconciliation(): Promise<LatestReconciliation | null> {
    const latest = await this.store.latestResultPart('models', 'reconciliation');
    if (!latest) return null;
    return {
      runId: latest.runId,
      finishedAt: latest.finishedAt,
      reconciliation: latest.value as Reconciliation,
    };
  }
}

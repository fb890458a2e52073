// What each job kind runs in the jobs worker: the lake export (workers/lake/export.ts) and the
// dbt models (workers/models/run-models.ts), inside the run the worker claimed.
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Config } from '../../lib/config.ts';
import { withPrismaOn } from '../../lib/db/client.ts';
import type { JobKind } from '../../lib/jobs/job-kinds.ts';
import type { ModelsRunResult } from '../../lib/jobs/models-contract.ts';
import { runLakeExport } from '../lake/export.ts';
import { failureSummary, runModels } from '../models/run-models.ts';
import { warehousePathFor } from '../models/warehouse-path.ts';
import type { JobHandler } from './jobs-worker.ts';
import { dbtExecutable, ensurePythonTools } from './python-tools.ts';

export interface JobHandlerDeps {
  config: Config;
  kafka: Kafka;
  /** Reference data for the export (users, the speed layer's rows); the models' publication. */
  pool: pg.Pool;
  /** The repository root: the dbt project and .venv are under it. */
  baseDir: string;
  log: (line: string) => void;
}

export function jobHandlers(deps: JobHandlerDeps): Record<JobKind, JobHandler> {
  const { config, log } = deps;
  return {
    lake_export: {
      run: ({ run, progress, signal }) =>
        runLakeExport(
          {
            lakeUri: config.LAKE_URI,
            topics: { clicks: config.CLICKS_TOPIC, checkouts: config.CHECKOUTS_TOPIC },
            kafka: deps.kafka,
            pool: deps.pool,
            groupIdPrefix: config.CONSUMER_GROUP_PREFIX,
            maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
            // The run is this worker's runJob already (row, heartbeat, progress).
            exclusive: false,
            runId: run.id,
            signal,
            log: (line) => log(`lake export ${run.id}: ${line}`),
          },
          progress,
        ),
    },
    models: {
      run: async ({ run, progress, signal }) => {
        progress({ phase: 'python' });
        await ensurePythonTools(deps.baseDir, log);
        // The attribution models are published to PostgreSQL through the worker's pool.
        return withPrismaOn(deps.pool, (db) =>
          runModels(
            {
              dbt: dbtExecutable(deps.baseDir),
              baseDir: deps.baseDir,
              target: 'local',
              lakeUri: config.LAKE_URI,
              warehousePath: warehousePathFor(config.LAKE_URI, deps.baseDir),
              runId: run.id,
              attributionDb: db,
              signal,
            },
            progress,
          ),
        );
      },
      failureOf: (result: ModelsRunResult) => (result.ok ? null : failureSummary(result)),
    },
  };
}

// The jobs worker process (`npm run jobs`, under the supervisor; `npm run jobs:bare` and the
// compose service `jobs` run it bare): claims queued runs of the batch jobs (lake export, dbt
// models) from commerce.job_runs and runs them, reporting progress through the rows; holds the
// daily schedule when it leads (one leader among the jobs workers); serves /healthz on JOBS_PORT.
// Start more than one on any hosts: runs and the schedule are shared through PostgreSQL.
import { listOf, loadConfig, projectRoot } from '../../lib/config.ts';
import { createPrisma } from '../../lib/db/client.ts';
import { createPgPool } from '../../lib/db/pool.ts';
import { JobRunStore } from '../../lib/jobs/job-run-store.ts';
import { workerIdentity } from '../../lib/jobs/worker-identity.ts';
import { createKafka } from '../../lib/kafka/client.ts';
import { logger } from '../../lib/log.ts';
import { exitOnlyOnBugs } from '../unhandled-errors.ts';
import { startHealthServer } from './health-server.ts';
import { jobHandlers } from './job-handlers.ts';
import { startJobsWorker } from './jobs-worker.ts';
import { startLeaderElection } from './leader.ts';
import { ensurePythonTools } from './python-tools.ts';
import { startLakeExportSchedule } from './schedule.ts';

/**
 * How long a stopping worker waits for its runs to stop before giving their rows back anyway:
 * well within every kill timer (the demo's 10 s, the supervisor's 40 s, compose's 30 s).
 */
const STOP_GRACE_MS = 8_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const worker = workerIdentity('jobs');
  const jobsLog = logger('jobs');
  const log = (msg: string) => jobsLog.info(msg);
  exitOnlyOnBugs(log);
  const pool = createPgPool(config.DATABASE_URL, { applicationName: 'clickstream-jobs', max: 6 });
  const prisma = createPrisma(config.DATABASE_URL, { pool });
  const store = new JobRunStore(prisma);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-jobs`,
  });
  // dbt's tools, ready before the first models run needs them (checked again before each run).
  void ensurePythonTools(projectRoot, log).catch((error: unknown) =>
    log(`Python tools not ready (a models run will retry): ${(error as Error).message}`),
  );

  const jobs = startJobsWorker({
    store,
    worker,
    handlers: jobHandlers({ config, kafka, pool, baseDir: projectRoot, log }),
    log,
  });
  const leader = startLeaderElection({ databaseUrl: config.DATABASE_URL, log });
  const schedule = startLakeExportSchedule({
    pattern: config.LAKE_EXPORT_CRON,
    leader,
    enqueue: (at) => store.enqueue('lake_export', at),
    log,
  });
  let stopping = false;
  const health = await startHealthServer({
    port: config.JOBS_PORT,
    host: config.METRICS_HOST,
    allowedHosts: listOf(config.ALLOWED_HOSTS),
    status: () => ({
      stopping,
      worker,
      leader: leader.isLeader(),
      nextScheduledExport: schedule.nextRunAt()?.toISOString() ?? null,
      running: jobs.running(),
    }),
  });
  log(`running as "${worker}"; health on http://localhost:${health.port}/healthz`);

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping (runs going are given back to the queue)…`);
    const timer = setTimeout(() => {
      log('did not stop within 30 s: exiting');
      process.exit(1);
    }, 30_000);
    timer.unref();
    schedule.stop();
    await jobs.stop(STOP_GRACE_MS);
    await leader.stop();
    await health.close();
    await prisma.$disconnect();
    await pool.end();
    process.exit(process.exitCode ?? 0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  logger('jobs').fatal({ err: error }, 'failed to start');
  process.exit(1);
});

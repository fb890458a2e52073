// The daily lake export inside the workers: runs an export at each LAKE_EXPORT_CRON time (UTC).
// A time that finds an export already running (started from the admin page, or by another worker
// process) is skipped; the advisory lock decides, so several workers never export twice.
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Config } from '../../lib/config.ts';
import { nextCronTime, parseCron } from '../../lib/lake/cron.ts';
import { createPgPool } from '../../lib/db/pool.ts';
import { createKafka } from '../../lib/kafka/client.ts';
import { runLakeExport, type LakeExportResult } from './export.ts';
import { LakeExportAlreadyRunningError } from './job-runs.ts';

export interface LakeExportSchedule {
  /** The next time an export will start. */
  nextRunAt(): Date;
  /** Stops scheduling and waits for a running export to finish. */
  stop(): Promise<void>;
}

export interface ScheduleDeps {
  kafka?: Kafka;
  pool?: pg.Pool;
  log?: (line: string) => void;
  onResult?: (result: LakeExportResult | Error) => void;
  /** Worker threads for parsing and encoding (default 0; more pays off on machines with more cores). */
  threads?: number;
  /** The export to run (tests replace it). */
  runExport?: typeof runLakeExport;
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Starts the schedule; throws a CronError at once if LAKE_EXPORT_CRON is invalid. */
export function startLakeExportSchedule(
  config: Config,
  deps: ScheduleDeps = {},
): LakeExportSchedule {
  const schedule = parseCron(config.LAKE_EXPORT_CRON);
  const log =
    deps.log ??
    ((line: string) => console.log(`${new Date().toISOString()} [lake-schedule] ${line}`));
  const kafka =
    deps.kafka ??
    createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID}-lake-export`,
    });
  const ownPool = deps.pool === undefined;
  const pool =
    deps.pool ??
    createPgPool(config.DATABASE_URL, { applicationName: 'clickstream-lake-export', max: 4 });
  let next = nextCronTime(schedule, Date.now());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const runOnce = async () => {
    log('scheduled lake export starting');
    try {
      const result = await (deps.runExport ?? runLakeExport)({
        lakeUri: config.LAKE_URI,
        topics: { clicks: config.CLICKS_TOPIC, checkouts: config.CHECKOUTS_TOPIC },
        kafka,
        pool,
        groupIdPrefix: config.CONSUMER_GROUP_PREFIX,
        maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
        threads: deps.threads ?? 0,
        log: (line) => log(line),
      });
      log(
        `scheduled lake export done in ${(result.durationMs / 1000).toFixed(1)} s (run ${result.runId})`,
      );
      deps.onResult?.(result);
    } catch (error) {
      if (error instanceof LakeExportAlreadyRunningError) log(`skipped: ${error.message}`);
      else log(`scheduled lake export failed: ${(error as Error).message}`);
      deps.onResult?.(error as Error);
    }
  };

  const arm = () => {
    if (stopped) return;
    const wait = Math.min(MAX_TIMEOUT_MS, Math.max(0, next - Date.now()));
    timer = setTimeout(() => {
      if (Date.now() < next) return arm(); // a long wait is split into chunks
      next = nextCronTime(schedule, Date.now());
      running = runOnce().finally(() => {
        running = undefined;
      });
      arm();
    }, wait);
    timer.unref();
  };
  arm();
  log(
    `lake export scheduled "${config.LAKE_EXPORT_CRON}" (UTC); next at ${new Date(next).toISOString()}`,
  );

  return {
    nextRunAt: () => new Date(next),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      if (ownPool) await pool.end();
    },
  };
}

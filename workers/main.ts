// One speed-layer worker process — the repartitioner and the attributor, with a
// metrics server: `npm run worker` runs it bare (docker-compose restarts it),
// `npm run workers` under the supervisor (scripts/stack/supervisor.ts). Start more
// processes to scale out; the consumer groups move partitions (and the
// attributor's state) between them. The speed layer only: the batch jobs and their
// daily schedule run in the jobs worker (workers/jobs/main.ts).
import { loadConfig } from '../lib/config.ts';
import { createPgPool } from '../lib/db/pool.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { logger } from '../lib/log.ts';
import { clickstreamTopicSpecs, ensureTopics } from '../lib/kafka/topics.ts';
import { startSpeedLayer } from './speed/speed-layer.ts';
import { exitOnlyOnBugs } from './unhandled-errors.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const workerLog = logger('worker');
  const log = (msg: string) => workerLog.info(msg);
  exitOnlyOnBugs(log);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-worker`,
  });
  // Not awaited here: the speed layer loads and connects what needs no topic meanwhile, and its
  // consumers join once the topics exist.
  const topicsReady = ensureTopics(kafka, clickstreamTopicSpecs(config));
  const pool = createPgPool(config.DATABASE_URL, { applicationName: 'clickstream-worker', max: 8 });
  const speed = await startSpeedLayer({ config, kafka, pool, log, topicsReady });
  log(`running; metrics on http://localhost:${speed.metricsPort}/metrics`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping (flushing rows and a last snapshot)…`);
    const timer = setTimeout(() => {
      log('did not stop within 30 s: exiting');
      process.exit(1);
    }, 30_000);
    timer.unref();
    await speed.stop();
    await pool.end();
    process.exit(process.exitCode ?? 0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  logger('worker').fatal({ err: error }, 'failed to start');
  process.exit(1);
});

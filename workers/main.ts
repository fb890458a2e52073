// One speed-layer worker process — the repartitioner and the attributor, with a
// metrics server: `npm run worker` runs it bare (docker-compose restarts it),
// `npm run workers` under the supervisor (scripts/stack/supervisor.ts). Start more
// processes to scale out; the consumer groups move partitions (and the
// attributor's state) between them. The speed layer only: the batch jobs and their
// daily schedule run in the jobs worker (workers/jobs/main.ts). With a schema registry
// (SCHEMA_REGISTRY_URL), it registers our schemas on start (lib/schemas/registration.ts).
import { loadConfig, type Config } from '../lib/config.ts';
import { createPgPool } from '../lib/db/pool.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { logger } from '../lib/log.ts';
import { clickstreamTopicSpecs, ensureTopics, topicNames } from '../lib/kafka/topics.ts';
import { registerWireSchemas } from '../lib/schemas/registration.ts';
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
  await ensureTopics(kafka, clickstreamTopicSpecs(config));
  const pool = createPgPool(config.DATABASE_URL, { applicationName: 'clickstream-worker', max: 8 });
  const speed = await startSpeedLayer({ config, kafka, pool, log });
  log(`running; metrics on http://localhost:${speed.metricsPort}/metrics`);
  const registering = new AbortController();
  if (config.SCHEMA_REGISTRY_URL) registerSchemas(config, registering.signal, log);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    registering.abort(new Error('stopping'));
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

/**
 * Registers click v1 and checkout v1 under their subjects with SCHEMA_COMPATIBILITY, in the
 * background: the speed layer does not wait for it (JSON flows without a registry; Avro messages
 * wait for theirs anyway). A refusal that is not the registry being away is a bug: exit.
 */
function registerSchemas(config: Config, signal: AbortSignal, log: (msg: string) => void): void {
  const url = config.SCHEMA_REGISTRY_URL!;
  const topics = topicNames(config);
  registerWireSchemas(url, {
    topics,
    compatibility: config.SCHEMA_COMPATIBILITY,
    signal,
    onTransient: (description, attempt) => {
      if (attempt === 1 || attempt % 10 === 0)
        log(`schema registry not answering, retrying: ${description}`);
    },
  }).then(
    (subjects) => {
      for (const s of subjects) {
        const what =
          s.registeredId === undefined ? 'had versions' : `registered as schema ${s.registeredId}`;
        log(`schema registry: ${s.subject} ${what}, compatibility ${s.compatibility}`);
      }
    },
    (error: unknown) => {
      if (signal.aborted) return;
      logger('worker').fatal({ err: error }, 'schema registration refused');
      process.exit(1);
    },
  );
}

main().catch((error: unknown) => {
  logger('worker').fatal({ err: error }, 'failed to start');
  process.exit(1);
});

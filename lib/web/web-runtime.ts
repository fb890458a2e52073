// The web process's long-lived parts: config, one pg pool, one Kafka client, the simulator, the
// pipeline poller and the batch-layer jobs (lake export, models). server.ts creates them at
// start; route handlers and server components reach the same instances through globalThis,
// because Next bundles its routes separately from server.ts, so a plain module singleton would
// exist twice. Nothing connects until first used.
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { loadConfig, projectRoot, type Config } from '../config';
import { createPrisma, type PrismaClient } from '../db/client';
import { createPgPool } from '../db/pool';
import { createKafka } from '../kafka/client';
import { SignInThrottle } from './auth';
import { LakeAdmin } from './lake-admin';
import { ModelsAdmin } from './models-admin';
import { PipelinePoller } from './pipeline-poller';
import { SimulatorController } from './simulator-controller';
import { workerMetricsUrls } from './worker-endpoints';

export interface WebRuntime {
  config: Config;
  pool: pg.Pool;
  kafka: () => Kafka;
  simulator: SimulatorController;
  poller: PipelinePoller;
  workerUrls: string[];
  signInThrottle: SignInThrottle;
  /** The admin page's batch-layer jobs: the lake export and the dbt models. */
  lake: LakeAdmin;
  models: ModelsAdmin;
  close: () => Promise<void>;
}

const KEY = Symbol.for('clickstream.webRuntime');
type Holder = { [KEY]?: WebRuntime };

function createWebRuntime(config: Config, log: (message: string) => void): WebRuntime {
  const pool = createPgPool(config.DATABASE_URL, { applicationName: 'clickstream-web', max: 6 });
  let kafka: Kafka | undefined;
  const kafkaClient = () =>
    (kafka ??= createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID}-web`,
    }));
  const workerUrls = workerMetricsUrls(config.WORKER_METRICS_URL);
  const simulator = new SimulatorController({ config, pool, kafka: kafkaClient, log });
  const poller = new PipelinePoller({ pool, workerUrls, log });
  let prisma: PrismaClient | undefined;
  const lake = new LakeAdmin({
    lakeUri: config.LAKE_URI,
    topics: { clicks: config.CLICKS_TOPIC, checkouts: config.CHECKOUTS_TOPIC },
    groupIdPrefix: config.CONSUMER_GROUP_PREFIX,
    maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
    pool,
    kafka: kafkaClient,
    log,
  });
  const models = new ModelsAdmin({
    baseDir: projectRoot,
    lakeUri: config.LAKE_URI,
    pool,
    prisma: () => (prisma ??= createPrisma(config.DATABASE_URL, { pool })),
    log,
  });
  return {
    config,
    pool,
    kafka: kafkaClient,
    simulator,
    poller,
    workerUrls,
    signInThrottle: new SignInThrottle(),
    lake,
    models,
    close: async () => {
      await Promise.allSettled([poller.stop(), simulator.close(), prisma?.$disconnect()]);
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * The process's runtime, created on first call. server.ts passes its config; a route handler
 * reached without server.ts (plain `next dev`) loads it itself.
 */
export function getWebRuntime(
  config?: Config,
  log: (message: string) => void = (m) => console.log(`[web] ${m}`),
): WebRuntime {
  const holder = globalThis as Holder;
  holder[KEY] ??= createWebRuntime(config ?? loadConfig(), log);
  return holder[KEY];
}

// The web process's long-lived parts: config, two pg pools (requests, under a statement_timeout;
// jobs, which may run long), one Kafka client, the simulator, the pipeline poller, the
// batch-layer jobs (lake export, models), the sessions and the sign-in throttle. server.ts
// creates them at start; route handlers and server components reach the same instances through
// globalThis, because Next bundles its routes separately from server.ts, so a plain module
// singleton would exist twice. Nothing connects until first used. Both pools log in as
// WEB_DATABASE_URL's role (least privilege), or DATABASE_URL's when it is unset.
import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { loadConfig, projectRoot, type Config } from '../config.ts';
import { createPrisma, type PrismaClient } from '../db/client.ts';
import { createPgPool } from '../db/pool.ts';
import { createKafka } from '../kafka/client.ts';
import { SignInThrottle, tokenEpoch, type AuthDeps } from './auth.ts';
import { LakeAdmin } from './lake-admin.ts';
import { ModelsAdmin } from './models-admin.ts';
import { PipelinePoller } from './pipeline-poller.ts';
import { SessionStore } from './session-store.ts';
import { SimulatorController } from './simulator-controller.ts';
import { workerMetricsUrls } from './worker-endpoints.ts';

/** Emitted as 'revoked' when sessions end: their ids, or 'all'. server.ts drops their sockets. */
export type SessionEvents = EventEmitter<{ revoked: [ids: string[] | 'all'] }>;

export interface WebRuntime {
  config: Config;
  /** Request-time reads (pages, APIs, the poller): every statement under WEB_STATEMENT_TIMEOUT_MS. */
  pool: pg.Pool;
  /** The lake export, the models and the simulator's seeding: long statements are expected. */
  jobsPool: pg.Pool;
  kafka: () => Kafka;
  simulator: SimulatorController;
  poller: PipelinePoller;
  workerUrls: string[];
  signInThrottle: SignInThrottle;
  sessions: SessionStore;
  sessionEvents: SessionEvents;
  /** What lib/web/auth.ts authenticate() needs, bound to this runtime. */
  authDeps: () => AuthDeps;
  /** The admin page's batch-layer jobs: the lake export and the dbt models. */
  lake: LakeAdmin;
  models: ModelsAdmin;
  close: () => Promise<void>;
}

const KEY = Symbol.for('clickstream.webRuntime');
type Holder = { [KEY]?: WebRuntime };

/** Connections a job may hold longest: a lake export reading the sink page by page. */
const JOB_STATEMENT_TIMEOUT_MS = 15 * 60_000;

function createWebRuntime(config: Config, log: (message: string) => void): WebRuntime {
  const databaseUrl = config.WEB_DATABASE_URL ?? config.DATABASE_URL;
  if (!config.WEB_DATABASE_URL) {
    log(
      'WEB_DATABASE_URL is not set: the web app connects as DATABASE_URL’s role. Set it to the web role (README, Security) for least privilege.',
    );
  }
  const pool = createPgPool(databaseUrl, {
    applicationName: 'clickstream-web',
    max: 6,
    statementTimeoutMs: config.WEB_STATEMENT_TIMEOUT_MS,
  });
  const jobsPool = createPgPool(databaseUrl, {
    applicationName: 'clickstream-web-jobs',
    max: 4,
    statementTimeoutMs: JOB_STATEMENT_TIMEOUT_MS,
  });
  let kafka: Kafka | undefined;
  const kafkaClient = () =>
    (kafka ??= createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID}-web`,
    }));
  const workerUrls = workerMetricsUrls(config.WORKER_METRICS_URL);
  const simulator = new SimulatorController({ config, pool: jobsPool, kafka: kafkaClient, log });
  const poller = new PipelinePoller({ pool, workerUrls, log });
  let prisma: PrismaClient | undefined;
  let jobsPrisma: PrismaClient | undefined;
  const requestPrisma = () => (prisma ??= createPrisma(databaseUrl, { pool }));
  let epoch: { token: string; value: string } | undefined;
  const currentEpoch = () => {
    const token = config.ADMIN_TOKEN ?? '';
    if (epoch?.token !== token) epoch = { token, value: tokenEpoch(token) };
    return epoch.value;
  };
  const sessions = new SessionStore({ prisma: requestPrisma, tokenEpoch: currentEpoch });
  const signInThrottle = new SignInThrottle();
  const lake = new LakeAdmin({
    lakeUri: config.LAKE_URI,
    topics: { clicks: config.CLICKS_TOPIC, checkouts: config.CHECKOUTS_TOPIC },
    groupIdPrefix: config.CONSUMER_GROUP_PREFIX,
    maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
    pool: jobsPool,
    kafka: kafkaClient,
    log,
  });
  const models = new ModelsAdmin({
    baseDir: projectRoot,
    lakeUri: config.LAKE_URI,
    pool: jobsPool,
    prisma: () => (jobsPrisma ??= createPrisma(databaseUrl, { pool: jobsPool })),
    log,
  });
  return {
    config,
    pool,
    kafka: kafkaClient,
    simulator,
    poller,
    workerUrls,
    jobsPool,
    signInThrottle,
    sessions,
    sessionEvents: new EventEmitter(),
    authDeps: () => ({
      adminToken: config.ADMIN_TOKEN,
      throttle: signInThrottle,
      findSession: (secret) => sessions.find(secret),
    }),
    lake,
    models,
    close: async () => {
      await Promise.allSettled([
        poller.stop(),
        simulator.close(),
        prisma?.$disconnect(),
        jobsPrisma?.$disconnect(),
      ]);
      await Promise.allSettled([pool.end(), jobsPool.end()]);
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

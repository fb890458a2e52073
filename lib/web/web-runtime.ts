// The web process's long-lived parts: config, two pg pools (requests, under a statement_timeout;
// the simulator's seeding, which may run long), one Kafka client, the simulator, the pipeline
// poller, the batch jobs as the web sees them (enqueue and read: the jobs worker runs them), the
// lake reader, the sessions and the sign-in throttle. server.ts
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
import { logger } from '../log.ts';
import { SignInThrottle, tokenEpoch, type AuthDeps } from './auth.ts';
import { JobsAdmin } from './jobs-admin.ts';
import { LakeReader } from './lake-reader.ts';
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
  /** Prisma Client on `pool`: the checkout, dead-letter and sink queries (lib/web/*-queries.ts). */
  prisma: () => PrismaClient;
  /** The simulator's seeding: long statements are expected. */
  simulatorPool: pg.Pool;
  kafka: () => Kafka;
  simulator: SimulatorController;
  poller: PipelinePoller;
  workerUrls: string[];
  signInThrottle: SignInThrottle;
  sessions: SessionStore;
  sessionEvents: SessionEvents;
  /** What lib/web/auth.ts authenticate() needs, bound to this runtime. */
  authDeps: () => AuthDeps;
  /** The batch jobs (lake export, models): enqueue, runs and their live progress. */
  jobs: JobsAdmin;
  /** The lake's tables and Delta history (read-only). */
  lake: LakeReader;
  close: () => Promise<void>;
}

const KEY = Symbol.for('clickstream.webRuntime');
type Holder = { [KEY]?: WebRuntime };

/** Connections a long statement may hold: the simulator seeding reference data. */
const SIMULATOR_STATEMENT_TIMEOUT_MS = 15 * 60_000;

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
  const simulatorPool = createPgPool(databaseUrl, {
    applicationName: 'clickstream-web-simulator',
    max: 4,
    statementTimeoutMs: SIMULATOR_STATEMENT_TIMEOUT_MS,
  });
  const simulatorDb = createPrisma(databaseUrl, { pool: simulatorPool });
  let kafka: Kafka | undefined;
  const kafkaClient = () =>
    (kafka ??= createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID}-web`,
    }));
  const workerUrls = workerMetricsUrls(config.WORKER_METRICS_URL);
  const simulator = new SimulatorController({ config, db: simulatorDb, kafka: kafkaClient, log });
  const poller = new PipelinePoller({ db: () => requestPrisma(), workerUrls, log });
  let prisma: PrismaClient | undefined;
  const requestPrisma = () => (prisma ??= createPrisma(databaseUrl, { pool }));
  let epoch: { token: string; value: string } | undefined;
  const currentEpoch = () => {
    const token = config.ADMIN_TOKEN ?? '';
    if (epoch?.token !== token) epoch = { token, value: tokenEpoch(token) };
    return epoch.value;
  };
  const sessions = new SessionStore({ prisma: requestPrisma, tokenEpoch: currentEpoch });
  const signInThrottle = new SignInThrottle();
  // Enqueueing and reading runs are short statements: the request pool and its timeout.
  const jobs = new JobsAdmin({
    prisma: requestPrisma,
    lakeUri: config.LAKE_URI,
    baseDir: projectRoot,
  });
  const lake = new LakeReader(config.LAKE_URI);
  return {
    config,
    pool,
    prisma: requestPrisma,
    kafka: kafkaClient,
    simulator,
    poller,
    workerUrls,
    simulatorPool,
    signInThrottle,
    sessions,
    sessionEvents: new EventEmitter(),
    authDeps: () => ({
      adminToken: config.ADMIN_TOKEN,
      throttle: signInThrottle,
      findSession: (secret) => sessions.find(secret),
    }),
    jobs,
    lake,
    close: async () => {
      await Promise.allSettled([
        poller.stop(),
        simulator.close(),
        prisma?.$disconnect(),
        simulatorDb.$disconnect(),
      ]);
      await Promise.allSettled([pool.end(), simulatorPool.end()]);
    },
  };
}

/**
 * The process's runtime, created on first call. server.ts passes its config; a route handler
 * reached without server.ts (plain `next dev`) loads it itself.
 */
export function getWebRuntime(
  config?: Config,
  log: (message: string) => void = (m) => logger('web').info(m),
): WebRuntime {
  const holder = globalThis as Holder;
  holder[KEY] ??= createWebRuntime(config ?? loadConfig(), log);
  return holder[KEY];
}

// The web process's long-lived parts: config, one pg pool, one Kafka client, the simulator and
// the pipeline poller. server.ts creates them at start; route handlers and server components
// reach the same instances through globalThis, because Next bundles its routes separately from
// server.ts, so a plain module singleton would exist twice. Nothing connects until first used.
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { loadConfig, type Config } from '../config';
import { createPgPool } from '../db/pool';
import { createKafka } from '../kafka/client';
import { SignInThrottle } from './auth';
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
  return {
    config,
    pool,
    kafka: kafkaClient,
    simulator,
    poller,
    workerUrls,
    signInThrottle: new SignInThrottle(),
    close: async () => {
      await Promise.allSettled([poller.stop(), simulator.close()]);
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

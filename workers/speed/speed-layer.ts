// Wires one worker's speed layer: the repartitioner, the attributor, the user
// directory and the metrics server, all from one Config. Every query goes through one
// PrismaClient over the process's pg pool (lib/db/client.ts).
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { listOf, type Config } from '../../lib/config.ts';
import { createPrisma } from '../../lib/db/client.ts';
import { topicNames } from '../../lib/kafka/topics.ts';
import { startMetricsServer } from '../metrics-server.ts';
import { Attributor } from './attributor.ts';
import { DependencyHealth } from './dependency-health.ts';
import { createSpeedMetrics } from './metrics.ts';
import { Repartitioner } from './repartitioner.ts';
import { UserDirectory } from './user-directory.ts';

export interface SpeedLayerOptions {
  config: Config;
  kafka: Kafka;
  /** The process's pool; Prisma Client runs on it, and it is the caller's to end. */
  pool: pg.Pool;
  log: (msg: string) => void;
  /** Consumer-group prefix; tests use their own so they never share state with a running demo. */
  groupPrefix?: string;
  /** Override METRICS_PORT (0 = any free port). */
  metricsPort?: number;
}

export interface SpeedLayer {
  metricsPort: number;
  attributor: Attributor;
  stop: () => Promise<void>;
}

export async function startSpeedLayer(o: SpeedLayerOptions): Promise<SpeedLayer> {
  const { config } = o;
  const prefix = o.groupPrefix ?? config.CONSUMER_GROUP_PREFIX;
  const topics = topicNames(config);
  const metrics = createSpeedMetrics();
  const health = new DependencyHealth(metrics, o.log);
  const db = createPrisma(config.DATABASE_URL, { pool: o.pool });
  const users = new UserDirectory(db, config.DATABASE_URL, { health, log: o.log });
  await users.start();

  const attributor = new Attributor({
    kafka: o.kafka,
    db,
    pool: o.pool,
    metrics,
    users,
    groupId: `${prefix}-attributor`,
    topics,
    sourcePartitions: config.TOPIC_PARTITIONS,
    allowedLatenessMs: config.ALLOWED_LATENESS_MS,
    flushIntervalMs: config.SINK_FLUSH_INTERVAL_MS,
    snapshotIntervalMs: config.SNAPSHOT_INTERVAL_MS,
    provisionalHoldMs: config.IDLE_TIMEOUT_MS,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
    health,
    log: o.log,
  });
  const repartitioner = new Repartitioner({
    kafka: o.kafka,
    db,
    metrics,
    groupId: `${prefix}-repartitioner`,
    topics,
    partitions: config.TOPIC_PARTITIONS,
    idleTimeoutMs: config.IDLE_TIMEOUT_MS,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
    knownMaxEventTime: () => attributor.maxEventTimeSeen(),
    health,
    log: o.log,
  });
  await attributor.start();
  await repartitioner.start();

  const server = await startMetricsServer({
    port: o.metricsPort ?? config.METRICS_PORT,
    host: config.METRICS_HOST,
    allowedHosts: listOf(config.ALLOWED_HOSTS),
    registry: metrics.registry,
    health: () => attributor.stalledReason(),
    degraded: () => health.degraded(),
    stats: () => attributor.stats(),
    retainedClicks: (userId, productId) => attributor.retainedClicks(userId, productId),
  });

  return {
    metricsPort: server.port,
    attributor,
    stop: async () => {
      await repartitioner.stop();
      await attributor.stop();
      await users.stop();
      await server.close();
      await db.$disconnect();
    },
  };
}

// Wires one worker's speed layer: the repartitioner, the attributor, the user
// directory and the metrics server, all from one Config. Every query goes through one
// PrismaClient over the process's pg pool (lib/db/client.ts).
//
// The start is laid out for an early first event: Prisma Client is imported while main.ts checks
// the topics; then both consumer groups are joined at once, and while a worker waits in a join
// (for the group's other members to rejoin: up to a heartbeat interval and their current batch)
// it reads the user names, whose first query loads Prisma's query compiler (~0.4 s of CPU). The
// attributor's first batch still waits for the names (UserDirectory.prefetch). Before, each step
// waited for the last: a second worker's first event came 4.2-4.7 s after its modules were
// loaded, now 1.8-3.2 s with the heartbeats of lib/kafka/group-heartbeat.ts (peers bench, 150k
// events, load average 10-13, alternated).
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { listOf, type Config } from '../../lib/config.ts';
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
  /**
   * Resolves once the topics exist (ensureTopics): the consumers join after it, the rest starts
   * meanwhile. A rejection fails the start.
   */
  topicsReady?: Promise<unknown>;
}

export interface SpeedLayer {
  metricsPort: number;
  attributor: Attributor;
  stop: () => Promise<void>;
}

export async function startSpeedLayer(o: SpeedLayerOptions): Promise<SpeedLayer> {
  const { config } = o;
  // Awaited below, after the import: until then a rejection must not count as unhandled.
  o.topicsReady?.catch(() => undefined);
  const prefix = o.groupPrefix ?? config.CONSUMER_GROUP_PREFIX;
  const topics = topicNames(config);
  const metrics = createSpeedMetrics();
  const health = new DependencyHealth(metrics, o.log);
  // Imported here, not at the top: half a second of loading, overlapped with the topics' check.
  const { createPrisma } = await import('../../lib/db/client.ts');
  const db = createPrisma(config.DATABASE_URL, { pool: o.pool });
  const users = new UserDirectory(db, config.DATABASE_URL, { health, log: o.log });
  const usersStarted = users.start();

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
  const consumersStarted = (async () => {
    await o.topicsReady;
    await allStarted([attributor.start(), repartitioner.start()]);
  })();
  await allStarted([usersStarted, consumersStarted]);

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

/** Waits for every start, so none is left running unwatched; then fails with the first failure. */
async function allStarted(starts: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(starts)).find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
}

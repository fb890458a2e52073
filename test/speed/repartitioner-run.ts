// Test helper: one Repartitioner on a SpeedTestEnv's topics and database, with its fatal
// errors and health reports kept for the test to look at, and raw source events to feed it.
// Not a test file itself.
import { createPrisma } from '../../lib/db/client.ts';
import { naiveTimestamp } from '../../lib/simulator/stream-generator.ts';
import { DependencyHealth } from '../../workers/speed/dependency-health.ts';
import { createSpeedMetrics } from '../../workers/speed/metrics.ts';
import { Repartitioner, type RepartitionerOptions } from '../../workers/speed/repartitioner.ts';
import type { SpeedTestEnv } from './test-harness.ts';

export interface RepartitionerRun {
  repartitioner: Repartitioner;
  health: DependencyHealth;
  fatal: unknown[];
  log: string[];
  stop(): Promise<void>;
}

export async function startRepartitioner(
  env: SpeedTestEnv,
  overrides: Partial<RepartitionerOptions> = {},
): Promise<RepartitionerRun> {
  const metrics = createSpeedMetrics();
  const log: string[] = [];
  const fatal: unknown[] = [];
  const health = new DependencyHealth(metrics, (m) => log.push(m));
  const repartitioner = new Repartitioner({
    kafka: env.kafka,
    db: createPrisma(env.db.url, { pool: env.pool }),
    metrics,
    groupId: `${env.groupPrefix}-repartitioner`,
    topics: env.topics,
    partitions: env.config.TOPIC_PARTITIONS,
    idleTimeoutMs: env.config.IDLE_TIMEOUT_MS,
    sessionTimeoutMs: env.config.KAFKA_SESSION_TIMEOUT_MS,
    maxFutureSkewMs: env.config.MAX_FUTURE_SKEW_MS,
    health,
    onFatal: (error) => fatal.push(error),
    log: (m) => log.push(m),
    ...overrides,
  });
  await repartitioner.start();
  return { repartitioner, health, fatal, log, stop: () => repartitioner.stop() };
}

/** A valid click as the website sends it; `padding` characters of URL make it larger. */
export function rawClick(id: string, userId: number, time: number, padding = 0): string {
  return JSON.stringify({
    click_id: id,
    user_id: userId,
    product_id: 'p1',
    product: 'product one',
    price: 10,
    url: `https://shop.example.com/p1?${'q'.repeat(padding)}`,
    user_agent: 'test',
    ip_address: '127.0.0.1',
    datetime_occured: naiveTimestamp(time),
  });
}

/** A valid checkout. */
export function rawCheckout(id: string, userId: number, time: number): string {
  return JSON.stringify({
    checkout_id: id,
    user_id: userId,
    product_id: 'p1',
    payment_method: 'card',
    total_amount: 10,
    shipping_address: 's',
    billing_address: 'b',
    user_agent: 'test',
    ip_address: '127.0.0.1',
    datetime_occured: naiveTimestamp(time),
  });
}

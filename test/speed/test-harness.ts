// Shared set-up for the speed layer's integration tests: a fresh test database,
// uniquely named topics on the real broker, a Config pointing at both, and
// helpers to produce keyless messages and wait for the sink to settle.
// Not a test file itself.
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import type pg from 'pg';
import { loadConfig, parseConfig, type Config } from '../../lib/config.ts';
import { createPgPool } from '../../lib/db/pool.ts';
import { createTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { attributeBruteForce } from '../domain/oracle.ts';
import {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  parseCheckout,
  parseClick,
  type Checkout,
  type Click,
  type ParseOptions,
} from '../../lib/domain/events.ts';
import { createKafka } from '../../lib/kafka/client.ts';
import { StreamGenerator, naiveTimestamp } from '../../lib/simulator/stream-generator.ts';
import {
  clickstreamTopicSpecs,
  ensureTopics,
  topicNames,
  type TopicNames,
} from '../../lib/kafka/topics.ts';

export interface SpeedTestEnv {
  config: Config;
  db: TestDatabase;
  pool: pg.Pool;
  kafka: Kafka;
  topics: TopicNames;
  groupPrefix: string;
  /** Environment for a worker child process running against this test's database and topics. */
  childEnv: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createSpeedTestEnv(
  overrides: Record<string, string> = {},
): Promise<SpeedTestEnv> {
  const base = loadConfig();
  const db = await createTestDatabase(base.DATABASE_URL);
  const id = randomBytes(4).toString('hex');
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: base.KAFKA_BROKERS,
    CLICKS_TOPIC: `clicks-${id}`,
    CHECKOUTS_TOPIC: `checkouts-${id}`,
    TOPIC_PARTITIONS: '3',
    ALLOWED_LATENESS_MS: '15000',
    IDLE_TIMEOUT_MS: '1000',
    SNAPSHOT_INTERVAL_MS: '300',
    SINK_FLUSH_INTERVAL_MS: '50',
    METRICS_PORT: '0',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    ...overrides,
  };
  const config = parseConfig(env);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `test-${id}`,
    logLevel: 'error',
  });
  await ensureTopics(kafka, clickstreamTopicSpecs(config));
  const pool = createPgPool(db.url, { applicationName: 'clickstream-test', max: 4 });
  return {
    config,
    db,
    pool,
    kafka,
    topics: topicNames(config),
    groupPrefix: `test-${id}`,
    childEnv: { ...env, KAFKA_CLIENT_ID: `test-${id}`, CONSUMER_GROUP_PREFIX: `test-${id}` },
    cleanup: async () => {
      await pool.end();
      const admin = kafka.admin();
      await admin.connect();
      await admin
        .deleteTopics({ topics: Object.values(topicNames(config)) })
        .catch(() => undefined);
      await admin.disconnect();
      await db.drop();
    },
  };
}

/** Produces raw values keyless (the original generator sends no key), in order, one partition each round-robin. */
export async function produceKeyless(
  kafka: Kafka,
  messages: { topic: string; value: string }[],
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) {
      const chunk = messages.slice(i, i + 1000);
      const byTopic = new Map<string, { value: string }[]>();
      for (const m of chunk)
        byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), { value: m.value }]);
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
        acks: -1,
      });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface SinkRow {
  checkout_id: string;
  user_id: string;
  user_name: string;
  click_id: string | null;
  click_time: Date | null;
  is_final: boolean;
  is_unknown_user: boolean;
  is_late: boolean;
  total_amount: string;
}

export async function readSink(pool: pg.Pool): Promise<Map<string, SinkRow>> {
  const { rows } = await pool.query<SinkRow>(
    `SELECT checkout_id, user_id::text, user_name, click_id, click_time, is_final, is_unknown_user,
            is_late, total_amount::text FROM commerce.attributed_checkouts`,
  );
  return new Map(rows.map((r) => [r.checkout_id, r]));
}

/** Polls until `done(rows)` holds, or fails after `timeoutMs` with what was last seen. */
export async function waitForSink(
  pool: pg.Pool,
  done: (rows: Map<string, SinkRow>) => boolean,
  timeoutMs = 60_000,
): Promise<Map<string, SinkRow>> {
  const deadline = Date.now() + timeoutMs;
  let rows = await readSink(pool);
  while (!done(rows)) {
    if (Date.now() > deadline) {
      const final = [...rows.values()].filter((r) => r.is_final).length;
      throw new Error(`sink did not settle in ${timeoutMs} ms: ${rows.size} rows, ${final} final`);
    }
    await new Promise((r) => setTimeout(r, 200));
    rows = await readSink(pool);
  }
  return rows;
}

/** What the rule says for a list of raw messages (invalid ones dropped, as the pipeline dead-letters them). */
export function expectedAttribution(
  messages: { topic: string; value: string }[],
  topics: TopicNames,
  read: ParseOptions = { now: Date.now(), maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS },
): Map<string, string | null> {
  const clicks: Click[] = [];
  const checkouts: Checkout[] = [];
  for (const m of messages) {
    if (m.topic === topics.clicks) {
      const parsed = parseClick(m.value, read);
      if (parsed.ok) clicks.push(parsed.event);
    } else {
      const parsed = parseCheckout(m.value, read);
      if (parsed.ok) checkouts.push(parsed.event);
    }
  }
  return new Map(attributeBruteForce(clicks, checkouts).map((a) => [a.checkoutId, a.clickId]));
}

/** Event times of the generated test streams start here (a past day: never "from the future"). */
export const STREAM_T0 = Date.UTC(2026, 10, 21, 8, 0, 0);

/**
 * A keyless stream for fault tests: 30 users, 6 products, out-of-order events and duplicates,
 * no malformed ones, `hours` of event time from STREAM_T0 at one click every 2 s.
 */
export function ruleStream(
  env: SpeedTestEnv,
  seed: number,
  hours: number,
): { topic: string; value: string }[] {
  const generator = new StreamGenerator(
    {
      users: 30,
      products: 6,
      checkoutProbability: 0.4,
      clickToCheckoutMs: { min: 1_000, max: 80 * 60_000 },
      outOfOrderShare: 0.2,
      lateShare: 0,
      duplicateShare: 0.03,
      malformedShare: 0,
      allowedLatenessMs: env.config.ALLOWED_LATENESS_MS,
    },
    seed,
  );
  const messages: { topic: string; value: string }[] = [];
  for (let t = STREAM_T0; t < STREAM_T0 + hours * 3_600_000; t += 2_000) {
    for (const m of generator.emit(t, 1)) {
      messages.push({
        topic: m.topic === 'clicks' ? env.topics.clicks : env.topics.checkouts,
        value: m.value,
      });
    }
  }
  return messages;
}

/** A click far after the stream: once every source reports it, every checkout is final. */
export function watermarkPusher(env: SpeedTestEnv): { topic: string; value: string } {
  return {
    topic: env.topics.clicks,
    value: JSON.stringify({
      click_id: 'watermark-pusher',
      user_id: 1,
      product_id: 'none',
      product: 'none',
      price: 0,
      url: 'u',
      user_agent: 'ua',
      ip_address: '127.0.0.1',
      datetime_occured: naiveTimestamp(STREAM_T0 + 10 * 3_600_000),
    }),
  };
}

/**
 * A live click on (user, product) a second before `at`, then a checkout of it at `at`, in the
 * original wire format: the rule attributes checkout `id` to click `click-${id}`.
 */
export function clickThenCheckout(
  env: SpeedTestEnv,
  o: { id: string; userId: number; productId: string; at: number; url?: string },
): { topic: string; value: string }[] {
  const common = {
    user_id: o.userId,
    product_id: o.productId,
    user_agent: 'test',
    ip_address: '127.0.0.1',
  };
  return [
    {
      topic: env.topics.clicks,
      value: JSON.stringify({
        ...common,
        click_id: `click-${o.id}`,
        product: 'thing',
        price: 1,
        url: o.url ?? 'https://shop.example.com/',
        datetime_occured: naiveTimestamp(o.at - 1_000),
      }),
    },
    {
      topic: env.topics.checkouts,
      value: JSON.stringify({
        ...common,
        checkout_id: o.id,
        payment_method: 'card',
        total_amount: 5,
        shipping_address: 's',
        billing_address: 'b',
        datetime_occured: naiveTimestamp(o.at),
      }),
    },
  ];
}

/** Waits until every expected checkout has a final row and checks each against the rule. */
export async function expectRuleRows(
  env: SpeedTestEnv,
  messages: { topic: string; value: string }[],
  timeoutMs: number,
): Promise<Map<string, SinkRow>> {
  const expected = expectedAttribution(messages, env.topics);
  const rows = await waitForSink(
    env.pool,
    (r) => r.size >= expected.size && [...r.values()].every((row) => row.is_final),
    timeoutMs,
  );
  expect(rows.size).toBe(expected.size);
  const wrong = [...expected].filter(([id, clickId]) => rows.get(id)?.click_id !== clickId);
  expect(wrong).toEqual([]);
  return rows;
}

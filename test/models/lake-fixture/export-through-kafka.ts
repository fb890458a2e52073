// Writes a lake the production way, for the models' integration test: the messages go to real
// Kafka topics, users and the speed layer's rows to PostgreSQL, and the real lake export
// (workers/lake/export.ts) writes the Delta tables. Same inputs as buildLakeFixture (delta-rs),
// which stays for what is too large to send through Kafka here (the benchmark, the sample lake).
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { createPgPool } from '../../../lib/db/pool.ts';
import { createKafka } from '../../../lib/kafka/client.ts';
import { ensureTopics } from '../../../lib/kafka/topics.ts';
import type { GeneratedMessage } from '../../../lib/simulator/stream-generator.ts';

/** A message and, optionally, the Kafka record timestamp to produce it with (ms, as text). */
export type LakeMessage = GeneratedMessage & { kafkaTimestamp?: string };
import { runLakeExport, type LakeExportResult } from '../../../workers/lake/export.ts';
import type { SpeedRow } from './build-lake-fixture.ts';

export interface KafkaLakeEnv {
  kafka: Kafka;
  pool: pg.Pool;
  topics: { clicks: string; checkouts: string };
  groupIdPrefix: string;
  lakeUri: string;
  /** Deletes the topics and closes the pool (the database is the caller's). */
  cleanup(): Promise<void>;
}

/** Fresh topics (unique names) on `brokers`, a pool on the (test) database at `databaseUrl`. */
export async function createKafkaLakeEnv(o: {
  brokers: string;
  databaseUrl: string;
  lakeUri: string;
  partitions?: number;
}): Promise<KafkaLakeEnv> {
  const id = randomBytes(4).toString('hex');
  const topics = { clicks: `models-clicks-${id}`, checkouts: `models-checkouts-${id}` };
  const kafka = createKafka({
    brokers: o.brokers,
    clientId: `models-test-${id}`,
    logLevel: 'error',
  });
  await ensureTopics(kafka, [
    { name: topics.clicks, partitions: o.partitions ?? 3 },
    { name: topics.checkouts, partitions: o.partitions ?? 3 },
  ]);
  const pool = createPgPool(o.databaseUrl, { applicationName: 'models-test', max: 4 });
  return {
    kafka,
    pool,
    topics,
    groupIdPrefix: `models-test-${id}`,
    lakeUri: o.lakeUri,
    cleanup: async () => {
      await pool.end();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

async function produce(env: KafkaLakeEnv, messages: readonly LakeMessage[]): Promise<void> {
  const producer = env.kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 5000) {
      const chunk = messages.slice(i, i + 5000);
      const topicMessages = (['clicks', 'checkouts'] as const)
        .map((t) => ({
          topic: env.topics[t],
          messages: chunk
            .filter((m) => m.topic === t)
            .map((m) => ({ value: m.value, timestamp: m.kafkaTimestamp })),
        }))
        .filter((t) => t.messages.length > 0);
      if (topicMessages.length > 0) await producer.sendBatch({ acks: -1, topicMessages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** commerce.users as the export will find it: upserts, so a changed name is a rename. */
async function putUsers(
  pool: pg.Pool,
  users: readonly { id: number; username: string }[],
): Promise<void> {
  await pool.query(
    `INSERT INTO commerce.users (id, username, password)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[])
     ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username
       WHERE commerce.users.username IS DISTINCT FROM EXCLUDED.username`,
    [users.map((u) => u.id), users.map((u) => u.username), users.map(() => 'not-a-real-password')],
  );
}

/** commerce.attributed_checkouts replaced by `rows` (the speed layer's sink at export time). */
async function putSpeedRows(pool: pg.Pool, rows: readonly SpeedRow[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('DELETE FROM commerce.attributed_checkouts');
    for (let i = 0; i < rows.length; i += 20_000) {
      const chunk = rows.slice(i, i + 20_000);
      const col = <T>(f: (r: SpeedRow) => T) => chunk.map(f);
      const time = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      await client.query(
        `INSERT INTO commerce.attributed_checkouts (checkout_id, user_id, user_name, click_id, product_id,
           payment_method, total_amount, shipping_address, billing_address, user_agent, ip_address,
           checkout_time, click_time, is_final, is_unknown_user, is_late, partition, processed_at, first_written_at)
         SELECT c.checkout_id, c.user_id, c.user_name, c.click_id, c.product_id, 'card', c.total_amount,
           '', '', '', '', c.checkout_time, c.click_time, c.is_final, c.is_unknown_user, c.is_late, 0, now(), now()
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::numeric[],
           $7::timestamptz[], $8::timestamptz[], $9::boolean[], $10::boolean[], $11::boolean[])
           AS c(checkout_id, user_id, user_name, click_id, product_id, total_amount, checkout_time,
                click_time, is_final, is_unknown_user, is_late)`,
        [
          col((r) => r.checkoutId),
          col((r) => r.userId),
          col((r) => r.userName),
          col((r) => r.clickId),
          col((r) => r.productId),
          col((r) => r.totalAmount),
          col((r) => time(r.checkoutTime)),
          col((r) => time(r.clickTime)),
          col((r) => r.isFinal),
          col((r) => r.isUnknownUser),
          col((r) => r.isLate),
        ],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** One export: the messages are produced, users and speed rows stored, then the lake export runs. */
export async function exportThroughKafka(
  env: KafkaLakeEnv,
  input: {
    messages: readonly LakeMessage[];
    users: readonly { id: number; username: string }[];
    speedRows: readonly SpeedRow[];
  },
): Promise<LakeExportResult> {
  await produce(env, input.messages);
  await putUsers(env.pool, input.users);
  await putSpeedRows(env.pool, input.speedRows);
  return runLakeExport({
    lakeUri: env.lakeUri,
    topics: env.topics,
    kafka: env.kafka,
    pool: env.pool,
    groupIdPrefix: env.groupIdPrefix,
  });
}

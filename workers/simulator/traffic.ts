// The traffic simulator's I/O edge: seeds the reference data the original
// generator would (commerce.users, commerce.products, ids from 0), renames a
// few users while traffic runs (so enrichment freshness shows), and produces
// the generator's messages to Kafka, keyless, live or as a fast backfill.
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import {
  StreamGenerator,
  productName,
  productPrice,
  userName,
  type GeneratedMessage,
  type GeneratorSettings,
} from '../../lib/simulator/stream-generator.ts';

export interface TrafficTopics {
  clicks: string;
  checkouts: string;
}

export interface TrafficProgress {
  sent: number;
  clicks: number;
  checkouts: number;
  malformed: number;
  duplicates: number;
  late: number;
  renames: number;
  /** Backfill only: share of the event-time span done, 0..1. */
  fraction?: number;
}

/** Inserts users 0..users-1 and products 0..products-1 if absent (as the original generator does). */
export async function seedReferenceData(pool: pg.Pool, settings: Pick<GeneratorSettings, 'users' | 'products'>) {
  const userIds = Array.from({ length: settings.users }, (_, i) => i);
  const productIds = Array.from({ length: settings.products }, (_, i) => i);
  await pool.query(
    `INSERT INTO commerce.users (id, username, password)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[]) ON CONFLICT (id) DO NOTHING`,
    [userIds, userIds.map(userName), userIds.map(() => 'not-a-real-password')],
  );
  await pool.query(
    `INSERT INTO commerce.products (id, name, description, price)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::numeric[]) ON CONFLICT (id) DO NOTHING`,
    [productIds, productIds.map(productName), productIds.map((id) => `${productName(id)}, made to last.`), productIds.map(productPrice)],
  );
}

/** Renames one user, as the original generator does with UPDATE … SET username. */
export async function renameUser(pool: pg.Pool, userId: number, suffix: string): Promise<void> {
  await pool.query('UPDATE commerce.users SET username = $2 WHERE id = $1', [userId, `${userName(userId)}_${suffix}`]);
}

function count(progress: TrafficProgress, batch: GeneratedMessage[]): void {
  for (const m of batch) {
    progress.sent++;
    if (m.kind === 'malformed') progress.malformed++;
    else if (m.kind === 'duplicate') progress.duplicates++;
    else if (m.topic === 'clicks') progress.clicks++;
    else progress.checkouts++;
    if (m.kind === 'late') progress.late++;
  }
}

async function send(producer: Producer, topics: TrafficTopics, batch: GeneratedMessage[]): Promise<void> {
  const clicks = batch.filter((m) => m.topic === 'clicks').map((m) => ({ value: m.value }));
  const checkouts = batch.filter((m) => m.topic === 'checkouts').map((m) => ({ value: m.value }));
  const topicMessages = [
    ...(clicks.length ? [{ topic: topics.clicks, messages: clicks }] : []),
    ...(checkouts.length ? [{ topic: topics.checkouts, messages: checkouts }] : []),
  ];
  if (topicMessages.length) await producer.sendBatch({ topicMessages, acks: -1 });
}

export interface LiveTrafficOptions {
  kafka: Kafka;
  pool: pg.Pool;
  topics: TrafficTopics;
  settings: GeneratorSettings;
  /** Clicks per second (checkouts follow at settings.checkoutProbability). */
  clicksPerSecond: number;
  /** Rename a random user every this many ms (0: never). */
  renameEveryMs: number;
  seed?: number;
  onProgress?: (p: TrafficProgress) => void;
}

/** Produces live traffic until `stop()` is called. */
export async function startLiveTraffic(o: LiveTrafficOptions): Promise<{ stop: () => Promise<TrafficProgress> }> {
  const producer = o.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const generator = new StreamGenerator(o.settings, o.seed ?? Date.now() % 2 ** 31);
  const progress: TrafficProgress = { sent: 0, clicks: 0, checkouts: 0, malformed: 0, duplicates: 0, late: 0, renames: 0 };
  const tickMs = 100;
  let carry = 0;
  let lastRename = Date.now();
  let running = true;
  let failure: unknown;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      carry += (o.clicksPerSecond * tickMs) / 1000;
      const n = Math.floor(carry);
      carry -= n;
      const batch = generator.emit(started, n);
      await send(producer, o.topics, batch);
      count(progress, batch);
      if (o.renameEveryMs > 0 && started - lastRename >= o.renameEveryMs) {
        await renameUser(o.pool, Math.floor(Math.random() * o.settings.users), String(started));
        progress.renames++;
        lastRename = started;
      }
      o.onProgress?.(progress);
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - started))));
    }
  })().catch((error: unknown) => {
    failure = error;
  });
  return {
    stop: async () => {
      running = false;
      await loop;
      await producer.disconnect();
      if (failure) throw failure;
      return progress;
    },
  };
}

export interface BackfillOptions {
  kafka: Kafka;
  topics: TrafficTopics;
  settings: GeneratorSettings;
  /** Hours of past event time to write, ending now. */
  hours: number;
  /** Clicks per second of event time. */
  clicksPerSecond: number;
  seed?: number;
  now?: number;
  onProgress?: (p: TrafficProgress) => void;
}

/** Writes `hours` of past history as fast as the broker takes it. */
export async function backfill(o: BackfillOptions): Promise<TrafficProgress> {
  const producer = o.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const generator = new StreamGenerator(o.settings, o.seed ?? 7);
    const progress: TrafficProgress = { sent: 0, clicks: 0, checkouts: 0, malformed: 0, duplicates: 0, late: 0, renames: 0, fraction: 0 };
    const end = o.now ?? Date.now();
    const start = end - o.hours * 3_600_000;
    const stepMs = 1000;
    let pending: GeneratedMessage[] = [];
    for (let t = start; t <= end; t += stepMs) {
      pending.push(...generator.emit(t, Math.round((o.clicksPerSecond * stepMs) / 1000)));
      if (pending.length >= 5000 || t + stepMs > end) {
        await send(producer, o.topics, pending);
        count(progress, pending);
        pending = [];
        progress.fraction = (t - start) / (end - start);
        o.onProgress?.(progress);
      }
    }
    progress.fraction = 1;
    o.onProgress?.(progress);
    return progress;
  } finally {
    await producer.disconnect();
  }
}

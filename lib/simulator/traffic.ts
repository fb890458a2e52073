// The traffic simulator's I/O edge: seeds the reference data the original
// generator would (commerce.users, commerce.products, ids from 0), renames a
// few users while traffic runs (so enrichment freshness shows), and produces
// the generator's messages to Kafka, keyless, live or as a fast backfill.
import type { Kafka, Producer } from 'kafkajs';
import type { Db } from '../db/client.ts';
import type { MixChannel } from './channel-mix.ts';
import {
  StreamGenerator,
  productName,
  productPrice,
  userName,
  type GeneratedMessage,
  type GeneratorSettings,
} from './stream-generator.ts';

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
  /** Clicks sent per channel they were generated for (duplicates and malformed ones not counted). */
  channels: Partial<Record<MixChannel, number>>;
  /** Backfill only: share of the event-time span done, 0..1. */
  fraction?: number;
}

function emptyProgress(): TrafficProgress {
  return {
    sent: 0,
    clicks: 0,
    checkouts: 0,
    malformed: 0,
    duplicates: 0,
    late: 0,
    renames: 0,
    channels: {},
  };
}

/** Inserts users 0..users-1 and products 0..products-1 if absent (as the original generator does). */
export async function seedReferenceData(
  db: Db,
  settings: Pick<GeneratorSettings, 'users' | 'products'>,
): Promise<{ usersAdded: number; productsAdded: number }> {
  const userIds = Array.from({ length: settings.users }, (_, i) => i);
  const productIds = Array.from({ length: settings.products }, (_, i) => i);
  // One statement per table (up to 100k rows; the typed createMany would also write the columns
  // the web role may not, such as updated_at).
  const usersAdded = await db.$executeRaw`
    INSERT INTO commerce.users (id, username, password)
    SELECT * FROM unnest(${userIds}::int[], ${userIds.map(userName)}::text[],
                         ${userIds.map(() => 'not-a-real-password')}::text[])
    ON CONFLICT (id) DO NOTHING`;
  const productsAdded = await db.$executeRaw`
    INSERT INTO commerce.products (id, name, description, price)
    SELECT * FROM unnest(${productIds}::int[], ${productIds.map(productName)}::text[],
                         ${productIds.map((id) => `${productName(id)}, made to last.`)}::text[],
                         ${productIds.map((id) => String(productPrice(id)))}::numeric[])
    ON CONFLICT (id) DO NOTHING`;
  return { usersAdded, productsAdded };
}

/** Renames one user, as the original generator does with UPDATE … SET username. */
export async function renameUser(db: Db, userId: number, suffix: string): Promise<void> {
  await db.$executeRaw`
    UPDATE commerce.users SET username = ${`${userName(userId)}_${suffix}`} WHERE id = ${userId}`;
}

function count(progress: TrafficProgress, batch: GeneratedMessage[]): void {
  for (const m of batch) {
    progress.sent++;
    if (m.kind === 'malformed') progress.malformed++;
    else if (m.kind === 'duplicate') progress.duplicates++;
    else if (m.topic === 'clicks') {
      progress.clicks++;
      if (m.channel) progress.channels[m.channel] = (progress.channels[m.channel] ?? 0) + 1;
    } else progress.checkouts++;
    if (m.kind === 'late') progress.late++;
  }
}

async function send(
  producer: Producer,
  topics: TrafficTopics,
  batch: GeneratedMessage[],
): Promise<void> {
  const clicks = batch.filter((m) => m.topic === 'clicks').map((m) => ({ value: m.value }));
  const checkouts = batch.filter((m) => m.topic === 'checkouts').map((m) => ({ value: m.value }));
  const topicMessages = [
    ...(clicks.length ? [{ topic: topics.clicks, messages: clicks }] : []),
    ...(checkouts.length ? [{ topic: topics.checkouts, messages: checkouts }] : []),
  ];
  if (topicMessages.length) await producer.sendBatch({ topicMessages, acks: -1 });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface LiveTrafficOptions {
  kafka: Kafka;
  db: Db;
  topics: TrafficTopics;
  settings: GeneratorSettings;
  /** Clicks per second (checkouts follow at settings.checkoutProbability). */
  clicksPerSecond: number;
  /** Rename a random user every this many ms (0: never). */
  renameEveryMs: number;
  seed?: number;
  onProgress?: (p: TrafficProgress) => void;
  /** Called once if producing fails; the traffic has stopped by then. */
  onError?: (error: unknown) => void;
}

export interface LiveTraffic {
  stop: () => Promise<TrafficProgress>;
}

/** Produces live traffic (event time = now) until `stop()` is called or a send fails. */
export async function startLiveTraffic(o: LiveTrafficOptions): Promise<LiveTraffic> {
  const producer = o.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const generator = new StreamGenerator(o.settings, o.seed ?? Date.now() % 2 ** 31);
  const progress = emptyProgress();
  const tickMs = 100;
  let carry = 0;
  let lastTick = Date.now();
  let lastRename = lastTick;
  let running = true;
  let failure: unknown;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      // Clicks owed for the time that really passed, so a slow send does not lower the rate;
      // capped at one second's worth so a long stall does not end in a burst.
      carry += (o.clicksPerSecond * Math.min(1_000, started - lastTick)) / 1000;
      lastTick = started;
      const n = Math.floor(carry);
      carry -= n;
      const batch = generator.emit(started, n);
      await send(producer, o.topics, batch);
      count(progress, batch);
      if (o.renameEveryMs > 0 && started - lastRename >= o.renameEveryMs) {
        await renameUser(o.db, Math.floor(Math.random() * o.settings.users), String(started));
        progress.renames++;
        lastRename = started;
      }
      o.onProgress?.(progress);
      await sleep(Math.max(0, tickMs - (Date.now() - started)));
    }
  })().catch((error: unknown) => {
    failure = error;
    running = false;
    o.onError?.(error);
  });
  return {
    stop: async () => {
      running = false;
      await loop;
      await producer.disconnect().catch(() => undefined);
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
  /** Aborting stops after the batch in flight; the promise then resolves with what was sent. */
  signal?: AbortSignal;
}

/** Writes `hours` of past history as fast as the broker takes it, oldest first. */
export async function backfill(o: BackfillOptions): Promise<TrafficProgress> {
  const producer = o.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const generator = new StreamGenerator(o.settings, o.seed ?? 7);
    const progress: TrafficProgress = { ...emptyProgress(), fraction: 0 };
    const end = o.now ?? Date.now();
    const start = end - o.hours * 3_600_000;
    const stepMs = 1000;
    let carry = 0;
    let pending: GeneratedMessage[] = [];
    for (let t = start; t <= end && !o.signal?.aborted; t += stepMs) {
      // Fractional rates (0.2 clicks/s) still produce clicks: the remainder carries over.
      carry += (o.clicksPerSecond * stepMs) / 1000;
      const n = Math.floor(carry);
      carry -= n;
      pending.push(...generator.emit(t, n));
      if (pending.length >= 5000 || t + stepMs > end) {
        await send(producer, o.topics, pending);
        count(progress, pending);
        pending = [];
        progress.fraction = (t - start) / (end - start);
        o.onProgress?.(progress);
      }
    }
    if (!o.signal?.aborted) {
      if (pending.length > 0) {
        await send(producer, o.topics, pending);
        count(progress, pending);
      }
      progress.fraction = 1;
    }
    o.onProgress?.(progress);
    return progress;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

// One fault test's world: its own broker and cluster (services.ts), a migrated test database with
// the generator's users and products, the topics, two supervised workers (worker-fleet.ts) with
// short timeouts, and a steady load (load.ts). `drainAndJudge` ends the load with a click far
// enough ahead to finalize every checkout, waits until they are final, and returns the verdict.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { parseConfig } from '../../../lib/config.ts';
import { createPgPool } from '../../../lib/db/pool.ts';
import { createTestDatabase } from '../../db/test-database.ts';
import { createKafka } from '../../../lib/kafka/client.ts';
import { clickstreamTopicSpecs, ensureTopics } from '../../../lib/kafka/topics.ts';
import { createLogger } from '../../../lib/log.ts';
import { naiveTimestamp, userName } from '../../../lib/simulator/stream-generator.ts';
import { seedReferenceData } from '../../../lib/simulator/traffic.ts';
import { withPrismaOn } from '../../../lib/db/client.ts';
import { SteadyLoad } from './load.ts';
import { RIG_APPLICATION_NAME, startFaultServices, type FaultServices } from './services.ts';
import {
  compareDeadLetters,
  compareSink,
  expectedRows,
  readSink,
  settled,
  summarize,
  type SinkRow,
} from './verdict.ts';
import { WorkerFleet } from './worker-fleet.ts';

export const USERS = 30;
export const PRODUCTS = 6;
export const ALLOWED_LATENESS_MS = 15_000;
export const IDLE_TIMEOUT_MS = 1_000;
/** Event time of the first tick: fixed (the same stream every run) and in the past. */
const START_TIME = Date.UTC(2026, 9, 1, 8, 0, 0);
/** How long the workers get, after the last message, to make every row final. */
const SETTLE_TIMEOUT_MS = 90_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Verdict {
  expectedRows: number;
  sinkRows: number;
  /** Rows missing, extra or differing from the rule, one line each. */
  sinkProblems: string[];
  /** Bad messages not dead-lettered (or with the wrong reason), valid ones dead-lettered. */
  deadLetterProblems: string[];
  restarts: number[];
  /** Seconds from the last message to every row final (undefined: never, within the timeout). */
  settleSeconds: number | undefined;
  rows: Map<string, SinkRow>;
  report: string;
}

export interface FaultScenario {
  name: string;
  services: FaultServices;
  /** The rig's own connection to the test database (application_name fault-rig). */
  pool: pg.Pool;
  kafka: Kafka;
  load: SteadyLoad;
  workers: WorkerFleet;
  log: (line: string) => void;
  /** Seconds since the scenario opened, for the timeline in the log. */
  elapsed(): string;
}

export async function openScenario(name: string, seed: number): Promise<FaultScenario> {
  const opened = Date.now();
  const elapsed = () => `${((Date.now() - opened) / 1000).toFixed(1)} s`;
  const log = (line: string) => console.log(`[${name} +${elapsed()}] ${line}`);
  const services = await startFaultServices(log);
  log(`broker ${services.kafkaBrokers}, database ${services.databaseUrl} (${services.root})`);
  try {
    const db = await createTestDatabase(services.databaseUrl);
    const id = randomBytes(3).toString('hex');
    const env: Record<string, string> = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: services.kafkaBrokers,
      KAFKA_CLIENT_ID: `fault-${id}`,
      CONSUMER_GROUP_PREFIX: `fault-${id}`,
      CLICKS_TOPIC: 'clicks',
      CHECKOUTS_TOPIC: 'checkouts',
      TOPIC_PARTITIONS: '3',
      ALLOWED_LATENESS_MS: String(ALLOWED_LATENESS_MS),
      IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      SNAPSHOT_INTERVAL_MS: '500',
      SINK_FLUSH_INTERVAL_MS: '50',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      METRICS_PORT: '0',
      LAKE_URI: path.join(services.root, 'lake'),
      LOG_LEVEL: 'info',
    };
    const config = parseConfig(env);
    const kafka = createKafka({
      brokers: services.kafkaBrokers,
      clientId: `fault-rig-${id}`,
      logLevel: 'error',
      log: createLogger({ level: 'silent' }), // the broker goes away on purpose; the load logs its retries
    });
    await ensureTopics(kafka, clickstreamTopicSpecs(config));
    const pool = createPgPool(db.url, { applicationName: RIG_APPLICATION_NAME, max: 2 });
    await withPrismaOn(pool, (db) => seedReferenceData(db, { users: USERS, products: PRODUCTS }));

    const load = new SteadyLoad({
      kafka,
      topics: { clicks: config.CLICKS_TOPIC, checkouts: config.CHECKOUTS_TOPIC },
      settings: {
        users: USERS,
        products: PRODUCTS,
        checkoutProbability: 0.4,
        clickToCheckoutMs: { min: 1_000, max: 20 * 60_000 },
        outOfOrderShare: 0.2,
        lateShare: 0,
        duplicateShare: 0.03,
        malformedShare: 0.01,
        allowedLatenessMs: ALLOWED_LATENESS_MS,
      },
      seed,
      startTime: START_TIME,
      eventStepMs: 6_000,
      clicksPerTick: 3,
      intervalMs: 100,
      log,
    });
    await load.connect();

    const workers = new WorkerFleet(env, 2, log);
    workers.start();
    await workers.waitUntilRunning();
    log('two workers running');
    return { name, services, pool, kafka, load, workers, log, elapsed };
  } catch (error) {
    await services.teardown({ keep: true });
    throw error;
  }
}

/** A click far enough ahead (within the spec: still in the past) that the watermark passes every checkout. */
function finalizingClick(load: SteadyLoad) {
  const time = load.maxEventTime + 2 * 3_600_000;
  const clickId = `finalize-${time}`;
  return {
    topic: 'clicks' as const,
    value: JSON.stringify({
      click_id: clickId,
      user_id: 1,
      product_id: 'finalize',
      product: 'none',
      price: 0,
      url: 'https://shop.example.com/',
      user_agent: 'fault-rig',
      ip_address: '127.0.0.1',
      datetime_occured: naiveTimestamp(time),
    }),
    click: { clickId, userId: 1, productId: 'finalize', time },
  };
}

/** Sends the finalizing click, waits until every checkout's row is final, and judges. */
export async function drainAndJudge(s: FaultScenario): Promise<Verdict> {
  await s.load.sendCrafted([finalizingClick(s.load)]);
  const sentAt = Date.now();
  s.log(
    `load done: ${s.load.ticks} ticks, ${s.load.failedSends} failed sends; waiting for final rows`,
  );
  const known = (id: number) => (id >= 0 && id < USERS ? userName(id) : undefined);
  const expected = expectedRows(s.load, known);

  let rows = new Map<string, SinkRow>();
  let settleSeconds: number | undefined;
  while (Date.now() - sentAt < SETTLE_TIMEOUT_MS) {
    // The rig's own reads ride out the faults too (a restarted database drops its connections).
    rows = await readSink(s.pool).catch(() => rows);
    if (settled(expected, rows)) {
      settleSeconds = (Date.now() - sentAt) / 1000;
      break;
    }
    await sleep(250);
  }
  // Rows final is the signal that the repartitioner passed every bad message too; give a
  // straggling dead-letter insert a moment before judging the store.
  let deadLetterProblems = await compareDeadLetters(s.pool, s.load);
  for (let i = 0; i < 20 && deadLetterProblems.length > 0 && settleSeconds !== undefined; i++) {
    await sleep(250);
    deadLetterProblems = await compareDeadLetters(s.pool, s.load);
  }
  const sinkProblems = compareSink(expected, rows);
  const restarts = s.workers.restarts;
  const finalRows = [...rows.values()].filter((r) => r.is_final).length;
  const report = [
    `${s.name}: ${expected.size} checkouts expected, ${rows.size} rows (${finalRows} final), ` +
      `settled ${settleSeconds === undefined ? `NOT within ${SETTLE_TIMEOUT_MS / 1000} s` : `in ${settleSeconds.toFixed(1)} s`}, ` +
      `restarts ${JSON.stringify(restarts)}`,
    `sink: ${summarize(sinkProblems)}`,
    `dead letters (${s.load.bad.length} crafted + ${s.load.malformed.length} generated bad): ${summarize(deadLetterProblems)}`,
    // Evidence that the fault reached the workers, and what they made of it.
    `worker log: ${s.workers.trouble.lines} lines about errors or retries, e.g.:\n  ` +
      [...s.workers.trouble.samples].slice(0, 8).join('\n  '),
  ].join('\n');
  s.log(report);
  return {
    expectedRows: expected.size,
    sinkRows: rows.size,
    sinkProblems,
    deadLetterProblems,
    restarts,
    settleSeconds,
    rows,
    report,
  };
}

/** Stops the workers cleanly and the services; keeps the folder (logs) when the test failed. */
export async function closeScenario(s: FaultScenario | undefined, failed: boolean): Promise<void> {
  if (!s) return;
  if (failed) {
    s.log(`worker exits: ${JSON.stringify(s.workers.exits)}`);
    for (const crash of s.workers.crashes.slice(0, 4)) s.log(`before a restart:\n${crash}`);
    s.log(`last worker output:\n${s.workers.tail()}`);
  }
  await s.workers.stop();
  await s.load.disconnect().catch(() => undefined);
  await s.pool.end().catch(() => undefined);
  await s.services.teardown({ keep: failed });
  s.log(`closed after ${s.elapsed()}`);
}

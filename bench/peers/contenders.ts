// The contenders of bench/peers.bench.ts, each run over the same source topics from the earliest
// offset, one at a time, measured the same way (meter.ts): our speed-layer workers, the Flink SQL
// job exactly as the rule says, the original project's Flink job, our lake export, and Spark
// Structured Streaming availableNow into Delta.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { projectRoot } from '../../lib/config.ts';
import { ensureTopics } from '../../lib/kafka/topics.ts';
import type { SpeedTestEnv } from '../../test/speed/test-harness.ts';
import type { Backlog } from './backlog.ts';
import type { PeerRuntime } from './install.ts';
import { perfTestStats } from './perf-test-output.ts';
import {
  runMeasured,
  serviceCpu,
  serviceCpuSince,
  type Measured,
  type TreeUsage,
} from './meter.ts';
import { PRODUCT_SESSION_TIMEOUT } from '../bench-support.ts';
import { buildBundle, buildLakeSinkThread, buildWorker } from '../../scripts/build-worker.ts';

export type ContenderName =
  | 'ours'
  | 'flink-exact'
  | 'flink-original'
  | 'lake-export'
  | 'spark-delta'
  | 'kafkajs-read'
  | 'kafkajs-relay'
  | 'java-read';

export interface RowCheck {
  /** Checkouts whose row holds the rule's click (or none, when unattributed). */
  right: number;
  expected: number;
  wrongClick: number;
  missing: number;
  /** Rows for checkout ids the backlog does not have (never expected). */
  extra: number;
}

export interface ContenderResult {
  contender: ContenderName;
  /** Start of the process to the final result (rows right, or the export committed), seconds. */
  seconds: number;
  eventsPerSecond: number;
  cpuSeconds: { processor: number; broker: number | null; postgres: number | null; total: number };
  peakRssBytes: number;
  rows: RowCheck | null;
  /** Of `seconds`, the JVM's start and the job's planning, until the job was submitted. */
  startupSeconds?: number;
  /** Our worker processes in the group (the peers run at parallelism 2). */
  processes?: number;
  /** Messages the batch contenders read (every one of the backlog, or they failed). */
  messagesRead?: number;
  /**
   * Row versions our sink made in commerce.attributed_checkouts (pg_stat_user_tables): inserts,
   * updates, and the updates PostgreSQL could make HOT (no index entry written).
   */
  sinkWrites?: { inserts: number; updates: number; hotUpdates: number };
  note?: string;
}

export interface RunContext {
  env: SpeedTestEnv;
  backlog: Backlog;
  log: (m: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function checkRows(
  expected: Map<string, string | null>,
  actual: Map<string, string | null>,
): RowCheck {
  let right = 0;
  let wrongClick = 0;
  let missing = 0;
  for (const [checkoutId, clickId] of expected) {
    if (!actual.has(checkoutId)) missing++;
    else if (actual.get(checkoutId) === clickId) right++;
    else wrongClick++;
  }
  let extra = 0;
  for (const id of actual.keys()) if (!expected.has(id)) extra++;
  return { right, expected: expected.size, wrongClick, missing, extra };
}

async function readRows(pool: pg.Pool, table: string): Promise<Map<string, string | null>> {
  const { rows } = await pool.query<{ checkout_id: string; click_id: string | null }>(
    `SELECT checkout_id, click_id FROM ${table}`,
  );
  return new Map(rows.map((r) => [r.checkout_id, r.click_id]));
}

async function count(pool: pg.Pool, table: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

function result(
  contender: ContenderName,
  ctx: RunContext,
  seconds: number,
  usage: { cpuSeconds: number; peakRssBytes: number },
  services: ReturnType<typeof serviceCpuSince>,
  rows: RowCheck | null,
  extra: Partial<ContenderResult> = {},
): ContenderResult {
  const cpu = {
    processor: usage.cpuSeconds,
    broker: services.broker,
    postgres: services.postgres,
    total: usage.cpuSeconds + (services.broker ?? 0) + (services.postgres ?? 0),
  };
  const r: ContenderResult = {
    contender,
    seconds,
    eventsPerSecond: ctx.backlog.messages.length / seconds,
    cpuSeconds: cpu,
    peakRssBytes: usage.peakRssBytes,
    rows,
    ...extra,
  };
  ctx.log(
    `${contender}: ${seconds.toFixed(1)} s, ${Math.round(r.eventsPerSecond).toLocaleString('en')} events/s, ` +
      `CPU ${cpu.total.toFixed(1)} s (processor ${cpu.processor.toFixed(1)}, broker ${cpu.broker?.toFixed(1) ?? '?'}, ` +
      `postgres ${cpu.postgres?.toFixed(1) ?? '?'}), peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB` +
      (rows ? `, rows right ${rows.right}/${rows.expected}` : ''),
  );
  return r;
}

/** The job's usage once it ended; stopped (SIGTERM, passed on by measure.py) past `timeoutMs`. */
async function finish(m: Measured, what: string, timeoutMs = 30 * 60_000): Promise<TreeUsage> {
  const timer = setTimeout(() => m.signal('SIGTERM'), timeoutMs);
  const usage = await m.done.finally(() => clearTimeout(timer));
  if (usage.exitCode !== 0) {
    throw new Error(`${what} exited ${usage.exitCode}:\n${m.output.join('').slice(-4000)}`);
  }
  return usage;
}

/**
 * Our workers until the sink is right: `processes` worker processes in one consumer group (as a
 * user scales out; the peers run at parallelism 2), measured as one process tree.
 */
export async function runOurs(
  ctx: RunContext,
  processes = 2,
  timeoutMs = 30 * 60_000,
): Promise<ContenderResult> {
  const { env, backlog } = ctx;
  const table = 'commerce.attributed_checkouts';
  await buildWorker(); // as `npm run workers` does before it starts them (not timed)
  const launcher = await bundleScript('workers-run.ts');
  const before = serviceCpu();
  const m = runMeasured(process.execPath, [launcher, String(processes)], {
    ...env.childEnv,
    IDLE_TIMEOUT_MS: '2000',
    SNAPSHOT_INTERVAL_MS: '5000',
    SINK_FLUSH_INTERVAL_MS: '100',
    METRICS_PORT: '0',
    ...PRODUCT_SESSION_TIMEOUT,
  });
  const started = Date.now();
  let rows: RowCheck | null = null;
  let rightAt = 0;
  let lastChange = Date.now();
  let lastSeen = -1;
  // Workers that exit before the rows are right (a crash at start-up) end the run at once, with
  // their output, instead of leaving it to wait for rows until the timeout.
  let exited = false;
  void m.done.finally(() => (exited = true));
  try {
    for (;;) {
      await sleep(250);
      if (exited) {
        throw new Error(
          `our workers exited before their rows were right:\n${m.output.join('').slice(-4000)}`,
        );
      }
      const n = await count(env.pool, table);
      if (n !== lastSeen) [lastSeen, lastChange] = [n, Date.now()];
      if (n >= backlog.expected.size) {
        // The statement reads the table as it was when it started: if that is right, the rows
        // were right then. Reading 90k rows and checking them takes ~0.5 s here, which is the
        // benchmark's time, not the workers' (a Flink job's time ends when its process does).
        const readFrom = Date.now();
        rows = checkRows(backlog.expected, await readRows(env.pool, table));
        if (rows.right === rows.expected) {
          rightAt = readFrom;
          break;
        }
      }
      // Rows stopped changing: the answer is what it is (counted wrong below).
      if (n > 0 && Date.now() - lastChange > 60_000) {
        rows = checkRows(backlog.expected, await readRows(env.pool, table));
        break;
      }
      if (Date.now() - started > timeoutMs) throw new Error('our workers took over the timeout');
    }
    const doneAt = rows.right === rows.expected ? rightAt : lastChange;
    m.mark();
    const services = serviceCpuSince(before);
    await sleep(500);
    m.signal('SIGTERM');
    const usage = await m.done;
    const at = usage.mark ?? usage;
    return result('ours', ctx, (doneAt - started) / 1000, at, services, rows, {
      processes,
      sinkWrites: await sinkWrites(env.pool),
    });
  } finally {
    m.signal('SIGKILL');
  }
}

/**
 * A runner of bench/peers bundled as the product's entry points are (scripts/build-worker.ts), so
 * it starts as fast as they do: through tsx, the workers' launcher took ~0.3 s before the first
 * worker was spawned and the lake export ~1 s more before reading, all counted in our time.
 */
async function bundleScript(name: string): Promise<string> {
  const base = name.replace(/\.ts$/, '');
  return buildBundle(
    path.join(projectRoot, 'bench', 'peers', name),
    path.join(projectRoot, '.build', `${base}.mjs`),
  );
}

/** The sink table's row-version counters (the statistics collector flushes within a second). */
async function sinkWrites(pool: pg.Pool): Promise<ContenderResult['sinkWrites']> {
  await sleep(1000);
  const { rows } = await pool.query<{ ins: string; upd: string; hot: string }>(
    `SELECT n_tup_ins AS ins, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables
     WHERE schemaname = 'commerce' AND relname = 'attributed_checkouts'`,
  );
  const r = rows[0];
  return r && { inserts: Number(r.ins), updates: Number(r.upd), hotUpdates: Number(r.hot) };
}

/** A PostgreSQL sink table for a Flink job: the original project's columns, keyed by checkout. */
async function createSinkTable(pool: pg.Pool, table: string): Promise<void> {
  await pool.query('CREATE SCHEMA IF NOT EXISTS peers');
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.query(`CREATE TABLE ${table} (
    checkout_id text PRIMARY KEY, user_name text, click_id text, product_id text,
    payment_method text, total_amount numeric(38,2), shipping_address text, billing_address text,
    user_agent text, ip_address text, checkout_time timestamp, click_time timestamp)`);
}

/** The Flink SQL job (flink_attribution.py), exact or as the original project wrote it. */
export async function runFlink(
  ctx: RunContext,
  flink: PeerRuntime,
  formulation: 'exact' | 'original',
  parallelism = 2,
): Promise<ContenderResult> {
  const { env, backlog } = ctx;
  const table = `peers.flink_${formulation}`;
  await createSinkTable(env.pool, table);
  const url = new URL(env.db.url);
  const jdbcUrl = `jdbc:postgresql://${url.host}${url.pathname}`;
  const before = serviceCpu();
  const m = runMeasured(
    flink.python,
    [
      path.join(projectRoot, 'bench/peers/flink_attribution.py'),
      `--formulation=${formulation}`,
      `--brokers=${env.config.KAFKA_BROKERS}`,
      `--clicks-topic=${env.topics.clicks}`,
      `--checkouts-topic=${env.topics.checkouts}`,
      `--jdbc-url=${jdbcUrl}`,
      `--db-user=${decodeURIComponent(url.username)}`,
      `--db-password=${decodeURIComponent(url.password)}`,
      `--sink-table=${table}`,
      `--jars=${flink.jars}`,
      `--group=${env.groupPrefix}-flink-${formulation}`,
      `--parallelism=${parallelism}`,
      `--lateness-seconds=${Math.round(env.config.ALLOWED_LATENESS_MS / 1000)}`,
    ],
    {},
  );
  const usage = await finish(m, `the Flink job (${formulation})`);
  const services = serviceCpuSince(before);
  const rows = checkRows(backlog.expected, await readRows(env.pool, table));
  return result(`flink-${formulation}`, ctx, usage.seconds, usage, services, rows, startup(m));
}

function startup(m: Measured): { startupSeconds?: number } {
  const found = /submitted after ([\d.]+) s/.exec(m.output.join(''));
  return found ? { startupSeconds: Number(found[1]) } : {};
}

function jsonLine(m: Measured): Record<string, unknown> {
  // Spark may print progress bars (\r, no newline) on the same line.
  const line = [...m.output.join('').matchAll(/\{"seconds".*\}/g)].at(-1)?.[0];
  if (!line) throw new Error(`no result line in:\n${m.output.join('').slice(-3000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

const sum = (o: unknown) => Object.values(o as Record<string, number>).reduce((a, b) => a + b, 0);

/** Our lake export, one run as its own process (lake-export-run.ts), into a scratch lake. */
export async function runLakeExport(ctx: RunContext): Promise<ContenderResult> {
  const { env, backlog } = ctx;
  const lake = mkdtempSync(path.join(tmpdir(), 'bench-peers-lake-'));
  try {
    const runner = await bundleScript('lake-export-run.ts'); // as npm run lake:export is
    await buildLakeSinkThread(); // and its threads' module beside it
    const before = serviceCpu();
    const m = runMeasured(
      process.execPath,
      [
        runner,
        env.db.url,
        env.config.KAFKA_BROKERS,
        env.topics.clicks,
        env.topics.checkouts,
        lake,
        `${env.groupPrefix}-lake`,
      ],
      {},
    );
    const usage = await finish(m, 'the lake export');
    const services = serviceCpuSince(before);
    const read = sum(jsonLine(m).rowsRead);
    return result('lake-export', ctx, usage.seconds, usage, services, null, {
      messagesRead: read,
      ...(read !== backlog.messages.length
        ? { note: `read ${read} of ${backlog.messages.length} messages` }
        : {}),
    });
  } finally {
    rmSync(lake, { recursive: true, force: true });
  }
}

/**
 * The read ceiling of kafkajs here (kafkajs-read-run.ts): both topics consumed, nothing else.
 * Not a peer: the floor under any kafkajs consumer's time on this backlog and machine.
 */
export async function runKafkajsRead(ctx: RunContext): Promise<ContenderResult> {
  const { env, backlog } = ctx;
  const before = serviceCpu();
  const m = runMeasured(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/peers/kafkajs-read-run.ts',
      env.config.KAFKA_BROKERS,
      env.topics.clicks,
      env.topics.checkouts,
      `${env.groupPrefix}-kafkajs-read`,
      String(backlog.messages.length),
    ],
    {},
  );
  const usage = await finish(m, 'the kafkajs read');
  const services = serviceCpuSince(before);
  const read = (jsonLine(m) as { read: number }).read;
  return result('kafkajs-read', ctx, usage.seconds, usage, services, null, { messagesRead: read });
}

/**
 * The floor under our speed layer's design with kafkajs (kafkajs-relay-run.ts): every event read
 * from the source topics, framed, produced to an internal topic and read back, nothing else. Our
 * workers do these two hops for every event (repartitioning by user) before any attribution.
 * Not a peer: the least time and CPU any kafkajs implementation of this design needs here.
 */
export async function runKafkajsRelay(ctx: RunContext): Promise<ContenderResult> {
  const { env, backlog } = ctx;
  const internal = `${env.topics.clicks}-relay`;
  await ensureTopics(env.kafka, [
    { name: internal, partitions: 6, configs: { 'max.message.bytes': String(8 * 1024 * 1024) } },
  ]);
  const before = serviceCpu();
  const m = runMeasured(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/peers/kafkajs-relay-run.ts',
      env.config.KAFKA_BROKERS,
      env.topics.clicks,
      env.topics.checkouts,
      internal,
      `${env.groupPrefix}-kafkajs-relay`,
      String(backlog.messages.length),
    ],
    {},
  );
  const usage = await finish(m, 'the kafkajs relay');
  const services = serviceCpuSince(before);
  const line = jsonLine(m) as { read: number; seconds: number };
  return result('kafkajs-relay', ctx, usage.seconds, usage, services, null, {
    messagesRead: line.read,
    note: `${Math.round(line.read / line.seconds).toLocaleString('en')} events/s from its first read to the last value relayed (process start excluded)`,
  });
}

/**
 * The read ceiling of Kafka's own Java client here: kafka-consumer-perf-test (ConsumerPerformance,
 * from the broker's version of kafka-tools) reading both topics until it has every message. Not a
 * peer: beside kafkajs-read it shows how much of our time is the client library's, not ours.
 * `seconds` includes the JVM's start, as Flink's and Spark's do; the tool's own fetch time is noted.
 */
export async function runJavaRead(ctx: RunContext, jars: string): Promise<ContenderResult> {
  const { env, backlog } = ctx;
  const before = serviceCpu();
  const topics = [env.topics.clicks, env.topics.checkouts].map((t) => t.replace(/[.]/g, '\\.'));
  const m = runMeasured(
    'java',
    [
      '-cp',
      `${jars}/*`,
      'org.apache.kafka.tools.ConsumerPerformance',
      `--bootstrap-server=${env.config.KAFKA_BROKERS}`,
      `--include=^(${topics.join('|')})$`,
      `--num-records=${backlog.messages.length}`,
      `--group=${env.groupPrefix}-java-read`,
      '--timeout=60000',
    ],
    {},
  );
  const usage = await finish(m, 'kafka-consumer-perf-test');
  const services = serviceCpuSince(before);
  const stats = perfTestStats(m.output.join(''));
  return result('java-read', ctx, usage.seconds, usage, services, null, {
    messagesRead: stats.messages,
    note: `the tool's fetch time ${(stats.fetchMs / 1000).toFixed(1)} s (${Math.round(stats.messages / (stats.fetchMs / 1000)).toLocaleString('en')} messages/s), rebalance ${(stats.rebalanceMs / 1000).toFixed(1)} s`,
  });
}

/** Spark Structured Streaming, trigger availableNow, into Delta (spark_delta_export.py). */
export async function runSpark(
  ctx: RunContext,
  spark: PeerRuntime,
  cores = 2,
): Promise<ContenderResult> {
  const { env, backlog } = ctx;
  const lake = mkdtempSync(path.join(tmpdir(), 'bench-peers-spark-'));
  try {
    const before = serviceCpu();
    const m = runMeasured(
      spark.python,
      [
        path.join(projectRoot, 'bench/peers/spark_delta_export.py'),
        `--brokers=${env.config.KAFKA_BROKERS}`,
        `--clicks-topic=${env.topics.clicks}`,
        `--checkouts-topic=${env.topics.checkouts}`,
        `--lake=${lake}`,
        `--jars=${spark.jars}`,
        `--cores=${cores}`,
      ],
      { SPARK_LOCAL_IP: '127.0.0.1' },
    );
    const usage = await finish(m, 'the Spark job');
    const services = serviceCpuSince(before);
    const read = sum(jsonLine(m).rowsRead);
    return result('spark-delta', ctx, usage.seconds, usage, services, null, {
      ...startup(m),
      messagesRead: read,
      ...(read !== backlog.messages.length
        ? { note: `read ${read} of ${backlog.messages.length} messages` }
        : {}),
    });
  } finally {
    rmSync(lake, { recursive: true, force: true });
  }
}

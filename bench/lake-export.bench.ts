// Lake export benchmark on this machine, broker and database included: produces N generated
// events (default 5,000,000; `--events=N` or `--events N`) to fresh topics (6 partitions), then
// times one export from Kafka to committed Delta tables. Prints rows/s (messages read per second of
// the whole run: planning, reading, parsing, Parquet encoding, commits, reference tables) and the
// Parquet bytes per million events, and the process's CPU seconds (all threads: on a shared
// machine a steadier figure than wall time); writes bench/results/lake-export.json.
// `--codec=snappy` compares the codec, `--threads=N` the worker threads (default: those of
// `npm run lake:export`), `--chunk-rows=N` the rows buffered per column before encoding.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig, projectRoot } from '../lib/config.ts';
import { createPgPool } from '../lib/db/pool.ts';
import { createTestDatabase } from '../test/db/test-database.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { ensureTopics } from '../lib/kafka/topics.ts';
import { StreamGenerator, type GeneratorSettings } from '../lib/simulator/stream-generator.ts';
import { oneShotExportThreads, runLakeExport } from '../workers/lake/export.ts';
import { defaultParquetOptions, type ParquetCodec } from '../lib/delta/parquet-stream.ts';
import { seedReferenceData } from '../lib/simulator/traffic.ts';
import { withPrismaOn } from '../lib/db/client.ts';

function arg(name: string): string | undefined {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

const EVENTS = Number(arg('events') ?? 5_000_000);
const CODEC = (arg('codec') ?? defaultParquetOptions.codec) as ParquetCodec;
/** Rows buffered in JS before the encoder takes them (TableWriterOptions.chunkRows); default the writer's. */
const CHUNK_ROWS = arg('chunk-rows') === undefined ? undefined : Number(arg('chunk-rows'));
const PARTITIONS = 6;
/** As `npm run lake:export` runs it unless --threads says otherwise. */
const THREADS = arg('threads') === undefined ? oneShotExportThreads() : Number(arg('threads'));
/** Issue 13's target for the export on this machine. */
const TARGET_ROWS_PER_SECOND = 300_000;
const log = (m: string) => console.log(`[bench:lake-export] ${m}`);

const settings: GeneratorSettings = {
  users: 10_000,
  products: 500,
  checkoutProbability: 0.2,
  clickToCheckoutMs: { min: 1_000, max: 30 * 60_000 },
  outOfOrderShare: 0.05,
  lateShare: 0,
  duplicateShare: 0.005,
  malformedShare: 0.001,
  allowedLatenessMs: 15_000,
};

async function main(): Promise<void> {
  const base = loadConfig();
  const id = randomBytes(4).toString('hex');
  const topics = { clicks: `bench-lake-clicks-${id}`, checkouts: `bench-lake-checkouts-${id}` };
  const kafka = createKafka({
    brokers: base.KAFKA_BROKERS,
    clientId: `bench-lake-${id}`,
    logLevel: 'error',
  });
  await ensureTopics(kafka, [
    { name: topics.clicks, partitions: PARTITIONS },
    { name: topics.checkouts, partitions: PARTITIONS },
  ]);
  const db = await createTestDatabase(base.DATABASE_URL);
  const pool = createPgPool(db.url, { applicationName: 'bench-lake-export', max: 4 });
  const lakeDir = mkdtempSync(path.join(tmpdir(), 'bench-lake-'));
  try {
    await withPrismaOn(pool, (db) => seedReferenceData(db, settings));

    log(`producing ${EVENTS.toLocaleString('en')} events to ${PARTITIONS} partitions per topic…`);
    const produceStart = Date.now();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const generator = new StreamGenerator(settings, 42);
    let produced = 0;
    let clock = Date.now() - 2 * 86_400_000;
    const inFlight = new Set<Promise<unknown>>();
    while (produced < EVENTS) {
      const batch = [];
      while (batch.length < 5_000 && produced + batch.length < EVENTS) {
        batch.push(...generator.emit(clock, 200));
        clock += 100;
      }
      const chunk = batch.slice(0, EVENTS - produced);
      produced += chunk.length;
      const send = producer.sendBatch({
        acks: 1,
        topicMessages: (['clicks', 'checkouts'] as const).map((t) => ({
          topic: topics[t],
          messages: chunk.filter((m) => m.topic === t).map((m) => ({ value: m.value })),
        })),
      });
      inFlight.add(send);
      void send.finally(() => inFlight.delete(send));
      if (inFlight.size >= 8) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    await producer.disconnect();
    const produceSeconds = (Date.now() - produceStart) / 1000;
    log(
      `produced in ${produceSeconds.toFixed(1)} s (${Math.round(produced / produceSeconds).toLocaleString('en')} events/s)`,
    );

    let peakRss = 0;
    const sampler = setInterval(
      () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
      250,
    );
    const started = Date.now();
    // CPU time of this process (all threads): on a shared machine, a steadier figure than wall time.
    const cpuBefore = process.cpuUsage();
    let readingStarted = 0;
    let readingDone = 0;
    const result = await runLakeExport(
      {
        lakeUri: lakeDir,
        topics,
        kafka,
        pool,
        groupIdPrefix: `bench-lake-${id}`,
        threads: THREADS,
        writer: {
          parquet: { codec: CODEC, rowGroupRows: defaultParquetOptions.rowGroupRows },
          ...(CHUNK_ROWS === undefined ? {} : { chunkRows: CHUNK_ROWS }),
        },
      },
      (p) => {
        if (p.phase === 'reading' && readingStarted === 0) readingStarted = Date.now();
        if (p.phase === 'committing' && readingDone === 0) readingDone = Date.now();
        if (p.phase === 'reading') {
          const read = Object.values(p.topics).reduce((n, t) => n + t.read, 0);
          process.stdout.write(
            `\r[bench:lake-export] reading ${read.toLocaleString('en')} / ${produced.toLocaleString('en')}   `,
          );
        }
      },
    );
    clearInterval(sampler);
    process.stdout.write('\n');
    const seconds = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const read = Object.values(result.topics).reduce((n, t) => n + t.read, 0);
    const topicTables = [result.tables.clicks, result.tables.checkouts, result.tables.dead_letters];
    const rows = topicTables.reduce((n, t) => n + t.rowsAdded, 0);
    const bytes = topicTables.reduce((n, t) => n + t.bytesAdded, 0);
    const files = topicTables.reduce((n, t) => n + t.filesAdded, 0);
    if (read !== produced || rows !== produced) {
      throw new Error(`exported ${rows} rows from ${read} messages, but ${produced} were produced`);
    }
    const figures = {
      events: produced,
      partitionsPerTopic: PARTITIONS,
      codec: CODEC,
      threads: THREADS,
      exportSeconds: Number(seconds.toFixed(2)),
      readingSeconds: Number(((readingDone - readingStarted) / 1000).toFixed(2)),
      rowsPerSecond: Math.round(rows / seconds),
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      rowsPerCpuSecond: Math.round(rows / cpuSeconds),
      parquetBytes: bytes,
      parquetBytesPerMillionEvents: Math.round((bytes / produced) * 1_000_000),
      files,
      rowsByTable: Object.fromEntries(
        Object.entries(result.tables).map(([k, t]) => [k, t.rowsAdded]),
      ),
      peakRssBytes: peakRss,
      targetRowsPerSecond: TARGET_ROWS_PER_SECOND,
      metTarget: rows / seconds >= TARGET_ROWS_PER_SECOND,
      loadAverage: Number(os.loadavg()[0]!.toFixed(2)),
      machine: { cpus: os.cpus().length, node: process.version },
      command: `npx tsx bench/lake-export.bench.ts --events=${produced}${CODEC !== defaultParquetOptions.codec ? ` --codec=${CODEC}` : ''}${arg('threads') === undefined ? '' : ` --threads=${THREADS}`}`,
      at: new Date().toISOString(),
    };
    log(
      `export: ${rows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s = ${figures.rowsPerSecond.toLocaleString('en')} rows/s (target ${TARGET_ROWS_PER_SECOND.toLocaleString('en')}: ${figures.metTarget ? 'met' : 'NOT met'})`,
    );
    log(
      `cpu: ${cpuSeconds.toFixed(1)} s of this process (all threads) = ${figures.rowsPerCpuSecond.toLocaleString('en')} rows per CPU-second; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
    );
    log(
      `parquet (${CODEC}): ${(bytes / 1024 / 1024).toFixed(1)} MB in ${files} file(s) = ${(figures.parquetBytesPerMillionEvents / 1024 / 1024).toFixed(1)} MB per million events; peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`,
    );
    const dir = path.join(projectRoot, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'lake-export.json'), `${JSON.stringify(figures, null, 2)}\n`);
    log('wrote bench/results/lake-export.json');
  } finally {
    await pool.end();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
    await db.drop();
    rmSync(lakeDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `[bench:lake-export] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);

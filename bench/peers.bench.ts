// Peers benchmark: our speed layer and lake export against what users would otherwise run, on
// this machine, broker and PostgreSQL included, over one backlog per load shape (uniform keys;
// skewed: a few hot user-product keys, like bots), each contender reading from the earliest
// offset: our workers; a Flink SQL job computing the rule exactly; the original project's Flink
// job (what it loses); our lake export; Spark Structured Streaming availableNow into Delta.
// Installs the peers on first use (bench/peers/install.ts). Prints a table with ratios and writes
// bench/results/peers.json. Options: --events=N per shape, --shapes=uniform,skewed,
// --only=ours,flink-exact,flink-original,lake-export,spark-delta,kafkajs-read,kafkajs-relay,java-read
// (the last three are not peers: the time kafkajs and Kafka's Java client take only to read the
// backlog here, and kafkajs to move it through the speed layer's two hops: floors under ours and
// under any JVM consumer's).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../lib/config.ts';
import { seedReferenceData } from '../lib/simulator/traffic.ts';
import { withPrismaOn } from '../lib/db/client.ts';
import { createSpeedTestEnv } from '../test/speed/test-harness.ts';
import { generateBacklog, produceBacklog, settings, type Shape } from './peers/backlog.ts';
import {
  runFlink,
  runJavaRead,
  runKafkajsRead,
  runKafkajsRelay,
  runLakeExport,
  runOurs,
  runSpark,
  type ContenderName,
  type ContenderResult,
  type RunContext,
} from './peers/contenders.ts';
import { ensureKafkaTools, ensurePeer } from './peers/install.ts';
import { waitForQuiet } from './peers/meter.ts';
import { printShape } from './peers/report.ts';
import { benchArgs } from './bench-support.ts';

const args = benchArgs();
const EVENTS = Number(args.get('events') ?? 600_000);
const SHAPES = (args.get('shapes') ?? 'uniform,skewed').split(',') as Shape[];
/** Our worker processes: 2 by default, as the peers run at parallelism 2 on the two cores. */
const OUR_PROCESSES = Number(args.get('our-processes') ?? 2);
const ALL: ContenderName[] = [
  'ours',
  'flink-exact',
  'flink-original',
  'lake-export',
  'spark-delta',
  'kafkajs-read',
  'kafkajs-relay',
  'java-read',
];
const ONLY = new Set((args.get('only') ?? ALL.join(',')).split(',') as ContenderName[]);
const log = (m: string) => console.log(`[bench:peers] ${m}`);

interface ShapeResult {
  shape: Shape;
  events: number;
  clicks: number;
  checkouts: number;
  distinctCheckouts: number;
  attributed: number;
  candidatePairs: number;
  eventTimeHours: number;
  produceSeconds: number;
  contenders: ContenderResult[];
}

async function runShape(shape: Shape): Promise<ShapeResult> {
  const flink = ONLY.has('flink-exact') || ONLY.has('flink-original') ? ensurePeer('flink') : null;
  const spark = ONLY.has('spark-delta') ? ensurePeer('spark') : null;
  const kafkaTools = ONLY.has('java-read') ? ensureKafkaTools() : null;
  const backlog = generateBacklog(shape, EVENTS);
  log(
    `${shape}: ${backlog.messages.length.toLocaleString('en')} messages (${backlog.clicks.toLocaleString('en')} clicks, ` +
      `${backlog.checkouts.toLocaleString('en')} checkouts, ${backlog.expected.size.toLocaleString('en')} distinct, ` +
      `${backlog.attributed.toLocaleString('en')} attributed) over ${(backlog.spanMs / 3_600_000).toFixed(1)} h of event time; ` +
      `${backlog.candidatePairs.toLocaleString('en')} candidate (checkout, click) pairs`,
  );
  const env = await createSpeedTestEnv({ TOPIC_PARTITIONS: '6' });
  try {
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, settings));
    const t = Date.now();
    await produceBacklog(env.kafka, env.topics, backlog);
    const produceSeconds = (Date.now() - t) / 1000;
    log(`${shape}: produced in ${produceSeconds.toFixed(1)} s`);
    const ctx: RunContext = { env, backlog, log: (m) => log(`${shape}: ${m}`) };
    const contenders: ContenderResult[] = [];
    for (const name of ALL.filter((c) => ONLY.has(c))) {
      // Each contender starts on a quiet machine, not in the last one's aftermath.
      const quiet = await waitForQuiet();
      log(
        `${shape}: running ${name}… (machine quiet after ${quiet.seconds.toFixed(0)} s: ` +
          `${quiet.coresBusy.toFixed(2)} cores busy)`,
      );
      try {
        if (name === 'ours') contenders.push(await runOurs(ctx, OUR_PROCESSES));
        if (name === 'flink-exact') contenders.push(await runFlink(ctx, flink!, 'exact'));
        if (name === 'flink-original') contenders.push(await runFlink(ctx, flink!, 'original'));
        if (name === 'lake-export') contenders.push(await runLakeExport(ctx));
        if (name === 'spark-delta') contenders.push(await runSpark(ctx, spark!));
        if (name === 'kafkajs-read') contenders.push(await runKafkajsRead(ctx));
        if (name === 'kafkajs-relay') contenders.push(await runKafkajsRelay(ctx));
        if (name === 'java-read') contenders.push(await runJavaRead(ctx, kafkaTools!));
      } catch (error) {
        log(`${shape}: ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return {
      shape,
      events: backlog.messages.length,
      clicks: backlog.clicks,
      checkouts: backlog.checkouts,
      distinctCheckouts: backlog.expected.size,
      attributed: backlog.attributed,
      candidatePairs: backlog.candidatePairs,
      eventTimeHours: backlog.spanMs / 3_600_000,
      produceSeconds,
      contenders,
    };
  } finally {
    await env.cleanup().catch((e: unknown) => log(`cleanup: ${String(e)}`));
    await deleteGroups(env.kafka, env.groupPrefix);
  }
}

/** Consumer groups the contenders left on the shared broker (all named after this run's prefix). */
async function deleteGroups(
  kafka: Awaited<ReturnType<typeof createSpeedTestEnv>>['kafka'],
  prefix: string,
): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (ours.length > 0) await admin.deleteGroups(ours);
  } catch {
    // best effort: an empty group expires by itself
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const shapes: ShapeResult[] = [];
  for (const shape of SHAPES) shapes.push(await runShape(shape));
  for (const s of shapes) printShape(s);
  const file = path.join(projectRoot, 'bench/results/peers.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: { cpus: os.cpus().length, memoryBytes: os.totalmem(), node: process.version },
        peers: Object.fromEntries(
          ['flink', 'spark'].map((p) => [
            p,
            readFileSync(path.join(projectRoot, `bench/peers/requirements-${p}.txt`), 'utf8')
              .trim()
              .split('\n'),
          ]),
        ),
        command: `npm run bench -- peers --events=${EVENTS} --shapes=${SHAPES.join(',')}`,
        minutes: (Date.now() - started) / 60_000,
        shapes,
      },
      null,
      2,
    )}\n`,
  );
  log(
    `written ${path.relative(projectRoot, file)} after ${((Date.now() - started) / 60_000).toFixed(1)} min`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

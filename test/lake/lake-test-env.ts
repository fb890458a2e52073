// Shared set-up for the lake export's integration tests: unique topics on the real broker, a
// fresh test database with the generator's users, a temporary lake directory, the expected
// content of every produced message (parsed with the one parser), export child processes, and
// the independent reader (delta-rs through scripts/python/lake_inspect.py). Not a test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { loadConfig, projectRoot } from '../../lib/config.ts';
import { createPgPool } from '../../lib/db/pool.ts';
import { createTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { DEFAULT_MAX_FUTURE_SKEW_MS, parseCheckout, parseClick } from '../../lib/domain/events.ts';
import { createKafka } from '../../lib/kafka/client.ts';
import { ensureTopics } from '../../lib/kafka/topics.ts';
import {
  StreamGenerator,
  defaultGeneratorSettings,
  type GeneratorSettings,
} from '../../lib/simulator/stream-generator.ts';
import { ensurePythonEnv } from '../../scripts/python-env.ts';
import { seedReferenceData } from '../../lib/simulator/traffic.ts';
import { withPrismaOn } from '../../lib/db/client.ts';

const run = promisify(execFile);

export interface ExpectedContent {
  /** click_id of every valid click message produced (duplicates included). */
  clickIds: string[];
  checkoutIds: string[];
  deadLetters: number;
}

export interface LakeTestEnv {
  kafka: Kafka;
  pool: pg.Pool;
  db: TestDatabase;
  topics: { clicks: string; checkouts: string };
  lakeDir: string;
  python: string;
  expected: ExpectedContent;
  /** Environment for `scripts/lake-export.ts` against this test's topics, database and lake. */
  childEnv: Record<string, string>;
  /** Produces about `clicks` clicks (with checkouts, duplicates and malformed messages). */
  produce(clicks: number, settings?: Partial<GeneratorSettings>): Promise<number>;
  cleanup(): Promise<void>;
}

export async function createLakeTestEnv(partitions = 3): Promise<LakeTestEnv> {
  const base = loadConfig();
  const id = randomBytes(4).toString('hex');
  const topics = { clicks: `lake-clicks-${id}`, checkouts: `lake-checkouts-${id}` };
  const kafka = createKafka({
    brokers: base.KAFKA_BROKERS,
    clientId: `lake-test-${id}`,
    logLevel: 'error',
  });
  await ensureTopics(kafka, [
    { name: topics.clicks, partitions },
    { name: topics.checkouts, partitions },
  ]);
  const db = await createTestDatabase(base.DATABASE_URL);
  const pool = createPgPool(db.url, { applicationName: 'lake-test', max: 4 });
  await withPrismaOn(pool, (db) => seedReferenceData(db, defaultGeneratorSettings));
  const lakeDir = mkdtempSync(path.join(tmpdir(), 'lake-test-'));
  const python = await ensurePythonEnv();
  const expected: ExpectedContent = { clickIds: [], checkoutIds: [], deadLetters: 0 };
  let seed = 1 + Math.floor(Math.random() * 1e6);
  let clock = Date.UTC(2026, 0, 1, 23, 59, 30); // crosses midnight: two event_date partitions

  const produce = async (clicks: number, settings: Partial<GeneratorSettings> = {}) => {
    const generator = new StreamGenerator(
      { ...defaultGeneratorSettings, malformedShare: 0.02, duplicateShare: 0.02, ...settings },
      seed++,
    );
    const messages = [];
    const perSecond = 50;
    for (let made = 0; made < clicks; made += perSecond) {
      messages.push(...generator.emit(clock, Math.min(perSecond, clicks - made)));
      clock += 1000;
    }
    const read = { now: Date.now(), maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS };
    for (const m of messages) {
      if (m.topic === 'clicks') {
        const p = parseClick(m.value, read);
        if (p.ok) expected.clickIds.push(p.event.clickId);
        else expected.deadLetters++;
      } else {
        const p = parseCheckout(m.value, read);
        if (p.ok) expected.checkoutIds.push(p.event.checkoutId);
        else expected.deadLetters++;
      }
    }
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (let i = 0; i < messages.length; i += 2000) {
        const chunk = messages.slice(i, i + 2000);
        await producer.sendBatch({
          acks: -1,
          topicMessages: (['clicks', 'checkouts'] as const).map((t) => ({
            topic: topics[t],
            messages: chunk.filter((m) => m.topic === t).map((m) => ({ value: m.value })),
          })),
        });
      }
    } finally {
      await producer.disconnect();
    }
    return messages.length;
  };

  return {
    kafka,
    pool,
    db,
    topics,
    lakeDir,
    python,
    expected,
    childEnv: {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: base.KAFKA_BROKERS,
      CLICKS_TOPIC: topics.clicks,
      CHECKOUTS_TOPIC: topics.checkouts,
      LAKE_URI: lakeDir,
      KAFKA_CLIENT_ID: `lake-test-${id}`,
      CONSUMER_GROUP_PREFIX: `lake-test-${id}`,
    },
    produce,
    cleanup: async () => {
      await pool.end();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect();
      await db.drop();
      rmSync(lakeDir, { recursive: true, force: true });
    },
  };
}

/** What delta-rs sees in one table (see scripts/python/lake_inspect.py). */
export interface DeltaRead {
  version: number;
  latest_version: number;
  schema: { name: string; type: string; nullable: boolean }[];
  arrow_schema: Record<string, string>;
  partition_columns: string[];
  num_rows: number;
  num_files: number;
  partitions: Record<string, number>;
  history: {
    version: number;
    operation: string;
    timestamp: number;
    metrics: Record<string, string> | null;
  }[];
  txns: Record<string, number | null>;
  rows?: unknown[][];
  counts_at_versions?: Record<string, number>;
}

/** Reads a table with delta-rs, an implementation independent of ours. */
export async function readWithDeltaRs(
  python: string,
  tableUri: string,
  options: {
    version?: number;
    columns?: string[];
    txns?: string[];
    countsAtVersions?: boolean;
    /** Extra environment, e.g. AWS_ENDPOINT_URL for an s3:// table. */
    env?: Record<string, string>;
  } = {},
): Promise<DeltaRead> {
  const args = [path.join(projectRoot, 'scripts/python/lake_inspect.py'), tableUri];
  if (options.version !== undefined) args.push('--version', String(options.version));
  if (options.columns) args.push('--columns', options.columns.join(','));
  for (const t of options.txns ?? []) args.push('--txn', t);
  if (options.countsAtVersions) args.push('--counts-at-versions');
  const { stdout } = await run(python, args, {
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...options.env },
  });
  return JSON.parse(stdout) as DeltaRead;
}

export interface ExportChild {
  child: ChildProcess;
  output: () => string;
  /** Resolves when a line matching `pattern` was printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Runs `scripts/lake-export.ts` in a child process against the test environment: the source
 * through tsx, or `bundle` (the module `npm run lake:export` runs: scripts/build-worker.ts).
 */
export function startExportChild(
  env: Record<string, string>,
  args: string[] = [],
  bundle?: string,
): ExportChild {
  const child = spawn(
    process.execPath,
    [...(bundle ? [bundle] : ['--import', 'tsx', 'scripts/lake-export.ts']), '--quiet', ...args],
    {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  const listeners: (() => void)[] = [];
  const onData = (d: Buffer) => {
    text += d.toString();
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) {
            const at = listeners.indexOf(check);
            if (at >= 0) listeners.splice(at, 1);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${text}`)),
          timeoutMs,
        );
        void exited.then(() => {
          if (!pattern.test(text)) {
            clearTimeout(timer);
            reject(new Error(`export exited before printing ${pattern}; output:\n${text}`));
          }
        });
        listeners.push(check);
        check();
      }),
  };
}

/** Sorted copy, for multiset comparison. */
export const sorted = <T>(values: T[]) => [...values].sort();

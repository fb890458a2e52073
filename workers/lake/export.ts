// The lake export: one AvailableNow run from the source topics (and the reference data in
// PostgreSQL) to the Delta tables under LAKE_URI, then exit. Protocol (docs/lake.md): fix each
// partition's end offset at the start; read from the offsets stored in each table's txn actions up
// to those ends; write data files; commit each table once with its new offsets in the same commit.
// A run killed at any point leaves only unreferenced files, and the next run redoes exactly the
// uncommitted part. Each run is a job_runs row, run through runJob (lib/jobs/run-job.ts): one at
// a time per database; the jobs worker runs it, `npm run lake:export` may run one directly.
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { ObjectStore } from '../../lib/delta/object-store.ts';
import { openObjectStore } from '../../lib/delta/open-store.ts';
import type { TableWriterOptions } from '../../lib/delta/table-writer.ts';
import { createPrisma } from '../../lib/db/client.ts';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from '../../lib/domain/events.ts';
import { JobRunStore } from '../../lib/jobs/job-run-store.ts';
import type {
  ExportPhase,
  LakeExportProgress,
  LakeExportResult,
  TableOutcome,
} from '../../lib/jobs/lake-export-contract.ts';
import { runJob } from '../../lib/jobs/run-job.ts';
import { workerIdentity } from '../../lib/jobs/worker-identity.ts';
import { LAKE_TABLES, type LakeTableName } from '../../lib/lake/lake-tables.ts';
import {
  commitReferenceTables,
  commitTopicTables,
  emptyOutcome,
  type CommitContext,
} from './export-commits.ts';
import { openLakeTables, planExport, topicBounds, type ExportPlan } from './export-plan.ts';
import { ExportProgress } from './export-progress.ts';
import { readRanges } from './kafka-range-reader.ts';
import { createInlineTopicSink, type TopicSink } from './topic-sink.ts';
import { startTopicSinkThreads, type TopicSinkThreads } from './topic-sink-threads.ts';

export interface LakeExportOptions {
  /** LAKE_URI: a path, file:// or s3:// URI. */
  lakeUri: string;
  topics: { clicks: string; checkouts: string };
  kafka: Kafka;
  /** PostgreSQL: reference data, and job_runs when the run is recorded (`exclusive`). */
  pool: pg.Pool;
  /** Prefix of the run's throw-away consumer group (CONSUMER_GROUP_PREFIX). */
  groupIdPrefix?: string;
  /**
   * MAX_FUTURE_SKEW_MS (default 60 s): an event time further ahead of this process's clock when
   * the record is read is a dead letter, as in the speed layer (docs/lake.md).
   */
  maxFutureSkewMs?: number;
  /**
   * Run as a job_runs row through runJob (default true): refused with JobAlreadyActiveError while
   * another lake export is queued or running. The jobs worker passes false: it runs the export
   * inside its own runJob (`runId`, `signal`).
   */
  exclusive?: boolean;
  /** The run's id (the jobs worker's claimed row); default a fresh one. */
  runId?: string;
  /** Aborts between steps (the jobs worker is stopping); uncommitted work is simply redone. */
  signal?: AbortSignal;
  /** Overrides the store LAKE_URI names (tests inject faults here). */
  store?: ObjectStore;
  writer?: Partial<TableWriterOptions>;
  log?: (line: string) => void;
  /** Test hook: wait this long after the data files are written, before the first commit. */
  pauseBeforeCommitMs?: number;
  /** How often progress is reported (and written to job_runs). Default 1000 ms. */
  progressIntervalMs?: number;
  /**
   * Worker threads that parse and encode (0 = on the calling thread, the default; a one-shot
   * export takes oneShotExportThreads()). Bundled, the threads run .build/lake-sink-thread.mjs;
   * from source, tsx in each thread.
   */
  threads?: number;
}

/**
 * Worker threads for an export that has the machine to itself (`npm run lake:export`, and the
 * peers benchmark that runs it): one per core from two cores up, the main thread reading Kafka
 * while they parse and encode; at most 4, where the main thread's reading (~2 µs a row of the
 * ~10 µs, docs/lake.md) becomes the limit. On this 2-core machine, with the broker and PostgreSQL
 * on it, 600k events (bench/peers' uniform backlog, bundled, alternated, three each): 6.3-6.9 s
 * wall with 2 threads, 7.2-7.4 s on the main thread, for ~1.2 CPU-s more (each thread's modules,
 * WebAssembly and heap). The jobs worker keeps 0: it shares its cores with the speed layer.
 */
export function oneShotExportThreads(cores = availableParallelism()): number {
  return cores >= 2 ? Math.min(cores, 4) : 0;
}

export type {
  ExportPhase,
  LakeExportProgress,
  LakeExportResult,
  TableOutcome,
  TopicProgress,
} from '../../lib/jobs/lake-export-contract.ts';

/**
 * Runs one export and resolves with what it committed. Throws JobAlreadyActiveError if another
 * lake export is queued or running, SchemaMismatchError / ConcurrentCommitError /
 * LakeStorageError and others on failure (the job_runs row then says why). `onProgress` is called
 * about every `progressIntervalMs` and at each phase change.
 */
export async function runLakeExport(
  options: LakeExportOptions,
  onProgress?: (progress: LakeExportProgress) => void,
): Promise<LakeExportResult> {
  const log = options.log ?? (() => undefined);
  if (!(options.exclusive ?? true)) {
    return exportRun(options, options.runId ?? randomUUID(), Date.now(), log, onProgress);
  }
  const prisma = createPrisma('', { pool: options.pool });
  try {
    const { result } = await runJob(
      'lake_export',
      ({ run, progress, signal }) =>
        exportRun({ ...options, signal }, run.id, Date.now(), log, (p) => {
          onProgress?.(p);
          progress(p);
        }),
      {
        store: new JobRunStore(prisma),
        worker: workerIdentity('lake-export'),
        mode: 'start',
        signal: options.signal,
        progressIntervalMs: options.progressIntervalMs,
        log,
      },
    );
    return result;
  } finally {
    await prisma.$disconnect();
  }
}

/** The export's steps, in order; each phase change is a point where a stop is safe. */
async function exportRun(
  options: LakeExportOptions,
  runId: string,
  startedMs: number,
  log: (line: string) => void,
  onProgress?: (progress: LakeExportProgress) => void,
): Promise<LakeExportResult> {
  const { topics, kafka, pool, signal } = options;
  const warnings: string[] = [];
  const progress = new ExportProgress(runId, startedMs, topics, onProgress, log);
  const setPhase = (phase: ExportPhase) => {
    // Stopping between steps is safe: nothing is committed until 'committing' ends.
    if (phase !== 'done') signal?.throwIfAborted();
    progress.setPhase(phase);
  };
  progress.start(options.progressIntervalMs ?? 1000);
  const outcomes = Object.fromEntries(LAKE_TABLES.map((t) => [t.name, emptyOutcome()])) as Record<
    LakeTableName,
    TableOutcome
  >;
  let sink: TopicSink | undefined;
  let threads: TopicSinkThreads | undefined;
  try {
    // Worker threads load their modules while this thread opens the tables and plans the reads.
    if (options.threads && options.threads > 0 && !options.store)
      threads = startTopicSinkThreads(options.lakeUri, options.threads);
    const store = options.store ?? openObjectStore(options.lakeUri);
    // The tables' logs and the topics' end offsets are independent: both are read at once.
    const [opened, bounds] = await Promise.all([
      openLakeTables(store),
      topicBounds(kafka, [topics.clicks, topics.checkouts], warnings),
    ]);
    for (const def of LAKE_TABLES) progress.addTable(def.name);
    const planned = planExport(bounds, topics, opened.snapshots, warnings);
    for (const w of planned.plan.warnings) log(`warning: ${w}`);
    for (const t of [topics.clicks, topics.checkouts])
      progress.addTopic(t, planned.plan.toRead[t] ?? 0);

    sink = await openTopicSink(options, planned, store, warnings, threads);
    progress.follow(sink);
    setPhase('reading');
    await readRanges(kafka, planned.plan.reads, sink.handle, {
      groupId: `${options.groupIdPrefix ?? 'clickstream'}-lake-export-${runId}`,
    });
    const files = await sink.finish();
    progress.refresh();

    if (options.pauseBeforeCommitMs) {
      log(`files written; pausing ${options.pauseBeforeCommitMs} ms before committing`);
      await new Promise((r) => setTimeout(r, options.pauseBeforeCommitMs));
    }
    const commits: CommitContext = {
      opened,
      runId,
      now: Date.now(),
      warnings,
      log,
      committed: (name, outcome) => {
        outcomes[name] = outcome;
        progress.setTable(name, {
          rows: outcome.rowsAdded,
          files: outcome.filesAdded,
          bytes: outcome.bytesAdded,
          version: outcome.version,
        });
      },
    };
    setPhase('committing');
    await commitTopicTables(commits, planned, files);
    setPhase('reference data');
    await commitReferenceTables(commits, pool, options.writer ?? {});
    for (const name of ['users', 'speed_attributed_checkouts'] as const)
      commits.committed(name, outcomes[name]);

    const finishedMs = Date.now();
    const result: LakeExportResult = {
      runId,
      startedAt: progress.value.startedAt,
      finishedAt: new Date(finishedMs).toISOString(),
      durationMs: finishedMs - startedMs,
      lake: store.description,
      tables: outcomes,
      topics: sink.progress().counts,
      warnings,
    };
    progress.stop();
    setPhase('done');
    return result;
  } catch (error) {
    progress.stop();
    await sink?.abort(error).catch(() => undefined);
    if (!sink) await threads?.stop();
    progress.fail();
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

/** Parses and encodes in the worker threads started for the run, if any and possible, else here. */
async function openTopicSink(
  options: LakeExportOptions,
  planned: ExportPlan,
  store: ObjectStore,
  warnings: string[],
  threads: TopicSinkThreads | undefined,
): Promise<TopicSink> {
  const sinkConfig = {
    topics: options.topics,
    reads: planned.plan.reads,
    writer: options.writer ?? {},
    maxFutureSkewMs: options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS,
  };
  const anythingToRead = planned.plan.reads.some((r) => r.from < r.to);
  if (threads && anythingToRead) {
    try {
      await threads.ready;
      return threads.open(sinkConfig);
    } catch (error) {
      await threads.stop();
      warnings.push(
        `worker threads unavailable, exporting on one thread: ${(error as Error).message}`,
      );
    }
  } else if (threads) {
    await threads.stop();
  }
  return createInlineTopicSink(store, sinkConfig);
}

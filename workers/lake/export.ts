// The lake export: one AvailableNow run from the source topics (and the reference data in
// PostgreSQL) to the Delta tables under LAKE_URI, then exit. Protocol (docs/lake.md): fix each
// partition's end offset at the start; read from the offsets stored in each table's txn actions up
// to those ends; write data files; commit each table once with its new offsets in the same commit.
// A run killed at any point leaves only unreferenced files, and the next run redoes exactly the
// uncommitted part. Each run is a job_runs row, run through runJob (lib/jobs/run-job.ts): one at
// a time per database; the jobs worker runs it, `npm run lake:export` may run one directly.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
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
import type { DeltaSnapshot } from '../../lib/delta/delta-snapshot.ts';
import {
  LAKE_TABLES,
  speedAttributedCheckoutsTable,
  usersTable,
  type LakeTableName,
} from '../../lib/lake/lake-tables.ts';
import {
  planReads,
  txnVersionsAfterRun,
  type TableProgress,
  type TopicBounds,
} from '../../lib/lake/read-plan.ts';
import { DeltaTable, type CommitResult } from '../../lib/delta/delta-table.ts';
import { readRanges } from './kafka-range-reader.ts';
import { subStore, type ObjectStore } from '../../lib/delta/object-store.ts';
import { openObjectStore } from '../../lib/delta/open-store.ts';
import { writeSpeedSnapshot, writeUsers } from './reference-export.ts';
import { commitAppend, commitReplace, planSchema, type SchemaPlan } from './table-commit.ts';
import type { TableWriterOptions, WrittenFile } from '../../lib/delta/table-writer.ts';
import { createInlineTopicSink, type TopicSink } from './topic-sink.ts';
import { createThreadedTopicSink } from './topic-sink-threads.ts';

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
   * Worker threads that parse and encode (0 = on the calling thread, the default). Threads need a
   * process that can load TypeScript modules (started with tsx: the CLI and the workers do).
   */
  threads?: number;
}

export type {
  ExportPhase,
  LakeExportProgress,
  LakeExportResult,
  TableOutcome,
  TopicProgress,
} from '../../lib/jobs/lake-export-contract.ts';

const emptyOutcome = (): TableOutcome => ({
  version: null,
  rowsAdded: 0,
  filesAdded: 0,
  bytesAdded: 0,
  filesRemoved: 0,
});

function outcomeOf(
  result: CommitResult | undefined,
  files: WrittenFile[],
  removed = 0,
): TableOutcome {
  return {
    version: result?.version ?? null,
    rowsAdded: result ? files.reduce((n, f) => n + f.rows, 0) : 0,
    filesAdded: result ? files.length : 0,
    bytesAdded: result ? files.reduce((n, f) => n + f.add.size, 0) : 0,
    filesRemoved: result ? removed : 0,
  };
}

async function topicBounds(
  kafka: Kafka,
  topics: string[],
  warnings: string[],
): Promise<TopicBounds[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const out: TopicBounds[] = [];
    for (const topic of topics) {
      if (!existing.has(topic)) {
        warnings.push(`topic ${topic} does not exist yet: nothing to export from it`);
        out.push({ topic, partitions: [] });
        continue;
      }
      const offsets = await admin.fetchTopicOffsets(topic);
      out.push({
        topic,
        partitions: offsets.map((o) => ({
          partition: o.partition,
          low: Number(o.low),
          high: Number(o.high),
        })),
      });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

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

async function exportRun(
  options: LakeExportOptions,
  runId: string,
  startedMs: number,
  log: (line: string) => void,
  onProgress?: (progress: LakeExportProgress) => void,
): Promise<LakeExportResult> {
  const { topics, kafka, pool, signal } = options;
  const warnings: string[] = [];
  const progress: LakeExportProgress = {
    runId,
    phase: 'starting',
    startedAt: new Date(startedMs).toISOString(),
    elapsedMs: 0,
    topics: {},
    tables: {},
  };
  let sink: TopicSink | undefined;
  const refresh = () => {
    progress.elapsedMs = Date.now() - startedMs;
    if (sink) {
      const { counts, tables } = sink.progress();
      for (const [topic, c] of Object.entries(counts)) {
        const t = progress.topics[topic];
        if (!t) continue;
        const own = topic === topics.clicks ? tables.clicks : tables.checkouts;
        Object.assign(t, {
          read: c.read,
          valid: c.valid,
          invalid: c.invalid,
          filesWritten: own.files,
          bytesWritten: own.bytes,
        });
      }
      for (const name of ['clicks', 'checkouts', 'dead_letters'] as const) {
        const entry = progress.tables[name];
        if (entry?.version === null) Object.assign(entry, tables[name]);
      }
    }
    onProgress?.(structuredClone(progress));
  };
  const setPhase = (phase: ExportPhase) => {
    // Stopping between steps is safe: nothing is committed until 'committing' ends.
    if (phase !== 'done') signal?.throwIfAborted();
    progress.phase = phase;
    log(`phase: ${phase}`);
    refresh();
  };
  const ticker = setInterval(refresh, options.progressIntervalMs ?? 1000);

  const outcomes = Object.fromEntries(LAKE_TABLES.map((t) => [t.name, emptyOutcome()])) as Record<
    LakeTableName,
    TableOutcome
  >;
  try {
    const store = options.store ?? openObjectStore(options.lakeUri);
    const table = (name: LakeTableName) => new DeltaTable(name, subStore(store, name));
    const deltaTables = Object.fromEntries(
      LAKE_TABLES.map((t) => [t.name, table(t.name)]),
    ) as Record<LakeTableName, DeltaTable>;
    const snapshots = {} as Record<LakeTableName, DeltaSnapshot>;
    const schemas = {} as Record<LakeTableName, SchemaPlan>;
    for (const def of LAKE_TABLES) {
      snapshots[def.name] = await deltaTables[def.name].loadSnapshot();
      // Schema enforcement before any work: a mismatch stops the run here.
      schemas[def.name] = planSchema(def, snapshots[def.name]);
      progress.tables[def.name] = { rows: 0, files: 0, bytes: 0, version: null };
    }

    // The AvailableNow bound: end offsets fixed now; whatever arrives later is the next run's.
    const bounds = await topicBounds(kafka, [topics.clicks, topics.checkouts], warnings);
    const tableProgress = (name: LakeTableName, sources: string[]): TableProgress => ({
      table: name,
      topics: sources,
      txnVersions: new Map([...snapshots[name].txns].map(([appId, txn]) => [appId, txn.version])),
    });
    const fed: TableProgress[] = [
      tableProgress('clicks', [topics.clicks]),
      tableProgress('checkouts', [topics.checkouts]),
      tableProgress('dead_letters', [topics.clicks, topics.checkouts]),
    ];
    const plan = planReads(bounds, fed);
    warnings.push(...plan.warnings);
    for (const w of plan.warnings) log(`warning: ${w}`);
    for (const t of [topics.clicks, topics.checkouts]) {
      progress.topics[t] = {
        read: 0,
        total: plan.toRead[t] ?? 0,
        valid: 0,
        invalid: 0,
        filesWritten: 0,
        bytesWritten: 0,
      };
    }

    const writerOptions = options.writer ?? {};
    const sinkConfig = {
      topics,
      reads: plan.reads,
      writer: writerOptions,
      maxFutureSkewMs: options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS,
    };
    const anythingToRead = plan.reads.some((r) => r.from < r.to);
    if (options.threads && options.threads > 0 && !options.store && anythingToRead) {
      try {
        sink = await createThreadedTopicSink(options.lakeUri, sinkConfig, options.threads);
      } catch (error) {
        warnings.push(
          `worker threads unavailable, exporting on one thread: ${(error as Error).message}`,
        );
      }
    }
    sink ??= createInlineTopicSink(store, sinkConfig);
    setPhase('reading');
    await readRanges(kafka, plan.reads, sink.handle, {
      groupId: `${options.groupIdPrefix ?? 'clickstream'}-lake-export-${runId}`,
    });
    const files = await sink.finish();
    refresh();

    if (options.pauseBeforeCommitMs) {
      log(`files written; pausing ${options.pauseBeforeCommitMs} ms before committing`);
      await new Promise((r) => setTimeout(r, options.pauseBeforeCommitMs));
    }
    setPhase('committing');
    const now = Date.now();
    for (const [i, name] of (['clicks', 'checkouts', 'dead_letters'] as const).entries()) {
      const txns = txnVersionsAfterRun(plan, fed[i]!);
      const tableFiles = files[name];
      if (
        tableFiles.length === 0 &&
        txns.size === 0 &&
        snapshots[name].version >= 0 &&
        !schemas[name].changesMetadata
      ) {
        continue; // nothing new: no empty commit
      }
      const def = LAKE_TABLES.find((t) => t.name === name)!;
      const result = await commitAppend({
        table: deltaTables[name],
        def,
        base: snapshots[name],
        schema: schemas[name],
        files: tableFiles,
        txns,
        runId,
        now,
      });
      warnings.push(...result.warnings);
      outcomes[name] = outcomeOf(result, tableFiles);
      progress.tables[name] = {
        rows: outcomes[name].rowsAdded,
        files: outcomes[name].filesAdded,
        bytes: outcomes[name].bytesAdded,
        version: result.version,
      };
      log(
        `committed ${name} version ${result.version}: ${outcomes[name].rowsAdded} rows in ${tableFiles.length} file(s)`,
      );
    }

    setPhase('reference data');
    const users = await writeUsers(pool, deltaTables.users, snapshots.users, now, writerOptions);
    if (users.changed) {
      const result = await commitReplace({
        table: deltaTables.users,
        def: usersTable,
        base: snapshots.users,
        schema: schemas.users,
        files: users.files,
        runId,
        now,
      });
      warnings.push(...result.warnings);
      outcomes.users = outcomeOf(result, users.files, snapshots.users.files.size);
      log(
        `committed users version ${result.version}: ${users.opened} opened, ${users.closed} closed`,
      );
    }
    const speed = await writeSpeedSnapshot(
      pool,
      deltaTables.speed_attributed_checkouts,
      writerOptions,
    );
    const speedBase = snapshots.speed_attributed_checkouts;
    // Replacing an empty snapshot with an empty one would only add a version.
    if (speed.files.length > 0 || speedBase.files.size > 0 || speedBase.version < 0) {
      const speedResult = await commitReplace({
        table: deltaTables.speed_attributed_checkouts,
        def: speedAttributedCheckoutsTable,
        base: speedBase,
        schema: schemas.speed_attributed_checkouts,
        files: speed.files,
        runId,
        now,
      });
      warnings.push(...speedResult.warnings);
      outcomes.speed_attributed_checkouts = outcomeOf(
        speedResult,
        speed.files,
        speedBase.files.size,
      );
      log(
        `committed speed_attributed_checkouts version ${speedResult.version}: ${outcomes.speed_attributed_checkouts.rowsAdded} rows`,
      );
    }
    for (const name of ['users', 'speed_attributed_checkouts'] as const) {
      const o = outcomes[name];
      progress.tables[name] = {
        rows: o.rowsAdded,
        files: o.filesAdded,
        bytes: o.bytesAdded,
        version: o.version,
      };
    }

    const finishedMs = Date.now();
    const result: LakeExportResult = {
      runId,
      startedAt: progress.startedAt,
      finishedAt: new Date(finishedMs).toISOString(),
      durationMs: finishedMs - startedMs,
      lake: store.description,
      tables: outcomes,
      topics: sink ? sink.progress().counts : {},
      warnings,
    };
    clearInterval(ticker);
    setPhase('done');
    return result;
  } catch (error) {
    clearInterval(ticker);
    await sink?.abort(error).catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    progress.phase = 'failed';
    progress.elapsedMs = Date.now() - startedMs;
    onProgress?.(structuredClone(progress));
    log(`failed: ${message}`);
    throw error;
  }
}

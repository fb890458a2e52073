// The threaded topic sink: topic-partitions are spread over worker threads (partition % n), each
// parsing and writing its own data files, so parsing and Parquet encoding use more than one core
// while the main thread reads Kafka. Records cross threads as one transferred set of buffers per
// batch (record-transfer.ts). The threads start before the run is planned, so that loading their
// modules overlaps the main thread's start-up (opening the tables, Kafka offsets, the job's row).
// Bundled (`npm run lake:export`, the peers benchmark: scripts/build-worker.ts), a thread runs the
// thread bundle built beside the export's own, plain ES module; from source (the jobs worker,
// tests), the worker module is TypeScript and each thread registers tsx's loader first (tsx's
// hooks in the main thread do not reach worker threads on Node 20). The bundle saves each thread
// tsx's start and its compiling (bench/peers lake backlog, 2 threads: ~0.5 CPU-s a run).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RangeRecord } from './kafka-range-reader.ts';
import { packRecords, transferList } from './record-transfer.ts';
import type { TopicCounts } from './topic-rows.ts';
import type { TopicSink, TopicSinkConfig, TopicSinkProgress, TopicTable } from './topic-sink.ts';
import type { ToWorker, WorkerInit } from './topic-sink-worker.ts';
import type { WrittenFile } from '../../lib/delta/table-writer.ts';
import { projectRoot } from '../../lib/config.ts';

const MAX_IN_FLIGHT = 3;
/** The thread bundle's file name in .build/ (scripts/build-worker.ts writes it). */
export const LAKE_SINK_THREAD_BUNDLE_NAME = 'lake-sink-thread.mjs';

interface ThreadState {
  worker: Worker;
  inFlight: number;
  ready: boolean;
  waiters: (() => void)[];
  progress?: TopicSinkProgress;
  failure?: Error;
  finished?: {
    resolve: (files: Record<TopicTable, WrittenFile[]>) => void;
    reject: (e: Error) => void;
  };
}

function rebuildError(e: { name?: string; message: string; stack?: string; code?: string }): Error {
  const error = new Error(e.message);
  error.name = e.name ?? 'Error';
  if (e.stack) error.stack = e.stack;
  if (e.code) (error as NodeJS.ErrnoException).code = e.code;
  return error;
}

/** Worker threads started ahead of the run; `open` makes them the run's sink. */
export interface TopicSinkThreads {
  /** Resolves once every thread loaded its modules; rejects if one cannot. */
  ready: Promise<void>;
  /** The run's sink on these threads (call once, after `ready`). */
  open(config: TopicSinkConfig): TopicSink;
  /** Ends the threads (when the run needs no sink, or failed before it had one). */
  stop(): Promise<void>;
}

/** The thread bundle beside `modulePath` when that is a bundle (.mjs), else undefined. */
export function threadBundleBeside(
  modulePath = fileURLToPath(import.meta.url),
): string | undefined {
  if (!modulePath.endsWith('.mjs')) return undefined;
  const bundle = path.join(path.dirname(modulePath), LAKE_SINK_THREAD_BUNDLE_NAME);
  return existsSync(bundle) ? bundle : undefined;
}

/** Starts `threads` workers now; they load their modules while the caller goes on. */
export function startTopicSinkThreads(lakeUri: string, threads: number): TopicSinkThreads {
  const init: WorkerInit = { lakeUri, baseDir: process.cwd() };
  const states: ThreadState[] = [];
  const bundled = threadBundleBeside();
  // tsx's CommonJS loader runs in the thread itself; its ESM loader would start one more thread
  // of hooks per worker, and load slower.
  const tsxApi = fileURLToPath(import.meta.resolve('tsx/cjs/api'));
  // From the project root, not this file's URL: in the bundle `npm run lake:export` runs
  // (scripts/build-worker.ts) this code lives in .build/, and the thread loads the source.
  const workerModule = path.join(projectRoot, 'workers', 'lake', 'topic-sink-worker.ts');
  const bootstrap = `try {
      require(${JSON.stringify(tsxApi)}).register();
      require(${JSON.stringify(workerModule)});
    } catch (e) {
      require('node:worker_threads').parentPort.postMessage(
        { type: 'error', error: { name: e.name, message: 'cannot load the lake worker thread: ' + e.message } });
    }`;
  for (let i = 0; i < threads; i++) {
    const worker = bundled
      ? new Worker(bundled, { workerData: init })
      : new Worker(bootstrap, { eval: true, workerData: init });
    const state: ThreadState = { worker, inFlight: 0, ready: false, waiters: [] };
    const wake = () => {
      const w = state.waiters;
      state.waiters = [];
      for (const f of w) f();
    };
    worker.on(
      'message',
      (m: {
        type: string;
        progress?: TopicSinkProgress;
        files?: Record<TopicTable, WrittenFile[]>;
        error?: { message: string };
      }) => {
        if (m.type === 'ready') state.ready = true;
        if (m.progress) state.progress = m.progress;
        if (m.type === 'ack') state.inFlight--;
        if (m.type === 'finished') state.finished?.resolve(m.files!);
        if (m.type === 'error') {
          state.failure = rebuildError(m.error!);
          state.finished?.reject(state.failure);
        }
        wake();
      },
    );
    worker.on('error', (error) => {
      state.failure = error;
      state.finished?.reject(error);
      wake();
    });
    worker.on('exit', (code) => {
      if (!state.failure && !state.progress && code !== 0)
        state.failure = new Error(`lake worker thread exited with ${code}`);
      wake();
    });
    states.push(state);
  }
  const stopAll = async () => {
    await Promise.all(states.map((s) => s.worker.terminate()));
  };
  // The workers loaded (a module that cannot load fails here, not mid-run).
  const ready = Promise.all(
    states.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (s.failure) reject(s.failure);
            else if (s.ready) resolve();
            else s.waiters.push(check);
          };
          check();
        }),
    ),
  ).then(() => undefined);
  // Awaited by open()'s caller; a failure before then must not be an unhandled rejection.
  ready.catch(() => undefined);
  return { ready, open: (config) => openThreadedSink(states, config, stopAll), stop: stopAll };
}

function openThreadedSink(
  states: ThreadState[],
  config: TopicSinkConfig,
  stopAll: () => Promise<void>,
): TopicSink {
  for (const s of states) s.worker.postMessage({ type: 'configure', config } satisfies ToWorker);
  let nextId = 0;
  const handle = async (topic: string, partition: number, records: RangeRecord[]) => {
    const state = states[partition % states.length]!;
    while (state.inFlight >= MAX_IN_FLIGHT && !state.failure)
      await new Promise<void>((r) => state.waiters.push(r));
    if (state.failure) throw state.failure;
    const message: ToWorker = {
      type: 'batch',
      id: nextId++,
      topic,
      partition,
      ...packRecords(records),
    };
    state.inFlight++;
    state.worker.postMessage(message, transferList(message));
  };

  const progress = (): TopicSinkProgress => {
    const counts: Record<string, TopicCounts> = {};
    const tables: TopicSinkProgress['tables'] = {
      clicks: { files: 0, bytes: 0, rows: 0 },
      checkouts: { files: 0, bytes: 0, rows: 0 },
      dead_letters: { files: 0, bytes: 0, rows: 0 },
    };
    for (const s of states) {
      for (const [topic, c] of Object.entries(s.progress?.counts ?? {})) {
        const sum = (counts[topic] ??= { read: 0, valid: 0, invalid: 0 });
        sum.read += c.read;
        sum.valid += c.valid;
        sum.invalid += c.invalid;
      }
      for (const t of Object.keys(tables) as TopicTable[]) {
        const p = s.progress?.tables[t];
        if (!p) continue;
        tables[t].files += p.files;
        tables[t].bytes += p.bytes;
        tables[t].rows += p.rows;
      }
    }
    return { counts, tables };
  };

  return {
    handle,
    progress,
    finish: async () => {
      try {
        const parts = await Promise.all(
          states.map(
            (s) =>
              new Promise<Record<TopicTable, WrittenFile[]>>((resolve, reject) => {
                if (s.failure) return reject(s.failure);
                s.finished = { resolve, reject };
                s.worker.postMessage({ type: 'finish' } satisfies ToWorker);
              }),
          ),
        );
        return {
          clicks: parts.flatMap((p) => p.clicks),
          checkouts: parts.flatMap((p) => p.checkouts),
          dead_letters: parts.flatMap((p) => p.dead_letters),
        };
      } finally {
        await stopAll();
      }
    },
    abort: async () => {
      await Promise.all(
        states.map(
          (s) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 5_000);
              s.worker.once('message', () => {
                clearTimeout(timer);
                resolve();
              });
              s.worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              s.worker.postMessage({ type: 'abort' } satisfies ToWorker);
            }),
        ),
      ).catch(() => undefined);
      await stopAll();
    },
  };
}

// Where the records read from the topics go: a sink parses them into rows and writes the data
// files of clicks, checkouts and dead_letters. The inline sink does it on the calling thread;
// the threaded sink (topic-sink-threads.ts) spreads partitions over worker threads. Both return
// the same thing: the written files per table, uncommitted.
import type { PartitionRead } from '../../lib/lake/read-plan.ts';
import {
  appendCheckout,
  appendClick,
  appendDeadLetter,
  byEventDate,
  byIngestDate,
  type CheckoutRow,
  type ClickRow,
  type DeadLetterRow,
} from '../../lib/lake/table-rows.ts';
import { checkoutsTable, clicksTable, deadLettersTable } from '../../lib/lake/lake-tables.ts';
import type { RangeBatchHandler } from './kafka-range-reader.ts';
import { subStore, type ObjectStore } from '../../lib/delta/object-store.ts';
import {
  PartitionedTableWriter,
  type TableWriterOptions,
  type WrittenFile,
} from '../../lib/delta/table-writer.ts';
import { topicRowsHandler, type TopicCounts, type TopicWriters } from './topic-rows.ts';

export type TopicTable = 'clicks' | 'checkouts' | 'dead_letters';

export interface TableWriteProgress {
  files: number;
  bytes: number;
  rows: number;
}

export interface TopicSinkProgress {
  counts: Record<string, TopicCounts>;
  tables: Record<TopicTable, TableWriteProgress>;
}

export interface TopicSink {
  handle: RangeBatchHandler;
  progress(): TopicSinkProgress;
  /** Finishes every open file; the files are not committed. */
  finish(): Promise<Record<TopicTable, WrittenFile[]>>;
  abort(reason: unknown): Promise<void>;
}

export interface TopicSinkConfig {
  topics: { clicks: string; checkouts: string };
  reads: PartitionRead[];
  /** MAX_FUTURE_SKEW_MS, for the parser (the clock is this process's, at read time). */
  maxFutureSkewMs: number;
  writer: Partial<TableWriterOptions>;
}

export function createTopicWriters(
  store: ObjectStore,
  writer: Partial<TableWriterOptions>,
): TopicWriters {
  return {
    clicks: new PartitionedTableWriter<ClickRow, number>(
      clicksTable,
      subStore(store, 'clicks'),
      { appender: appendClick, ...byEventDate },
      writer,
    ),
    checkouts: new PartitionedTableWriter<CheckoutRow, number>(
      checkoutsTable,
      subStore(store, 'checkouts'),
      { appender: appendCheckout, ...byEventDate },
      writer,
    ),
    deadLetters: new PartitionedTableWriter<DeadLetterRow, number>(
      deadLettersTable,
      subStore(store, 'dead_letters'),
      { appender: appendDeadLetter, ...byIngestDate },
      writer,
    ),
  };
}

const writeProgress = (w: PartitionedTableWriter<never, number>): TableWriteProgress => ({
  files: w.filesWritten,
  bytes: w.bytesWritten,
  rows: w.rowsWritten(),
});

/** Parses and writes on the calling thread. */
export function createInlineTopicSink(store: ObjectStore, config: TopicSinkConfig): TopicSink {
  const writers = createTopicWriters(store, config.writer);
  const counts: Record<string, TopicCounts> = {};
  const handle = topicRowsHandler(config, writers, counts);
  const all = [
    writers.clicks,
    writers.checkouts,
    writers.deadLetters,
  ] as unknown as PartitionedTableWriter<never, number>[];
  return {
    handle,
    progress: () => ({
      counts: structuredClone(counts),
      tables: {
        clicks: writeProgress(all[0]!),
        checkouts: writeProgress(all[1]!),
        dead_letters: writeProgress(all[2]!),
      },
    }),
    finish: async () => ({
      clicks: await writers.clicks.finish(),
      checkouts: await writers.checkouts.finish(),
      dead_letters: await writers.deadLetters.finish(),
    }),
    abort: async (reason) => {
      for (const w of all) await w.abort(reason).catch(() => undefined);
    },
  };
}

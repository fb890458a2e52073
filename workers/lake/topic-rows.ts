// Turns the records read from the source topics into lake rows with the speed layer's parser
// (lib/domain/events.ts, the one parser): valid events become clicks/checkouts rows, anything else
// a dead-letter row with its reason. A table only takes offsets at or past its own stored offset.
// The parser's clock is this process's at read time (one reading per batch), as the spec says of
// future event times: see docs/lake.md, "Event times from the future".
import {
  parseCheckout,
  parseClick,
  type ParseOptions,
  type ParseResult,
  type RawMessage,
} from '../../lib/domain/events.ts';
import type { PartitionRead } from '../../lib/lake/read-plan.ts';
import type { CheckoutRow, ClickRow, DeadLetterRow } from '../../lib/lake/table-rows.ts';
import type { RangeBatchHandler, RangeRecord } from './kafka-range-reader.ts';
import type { PartitionedTableWriter } from '../../lib/delta/table-writer.ts';

export interface TopicWriters {
  clicks: PartitionedTableWriter<ClickRow, number>;
  checkouts: PartitionedTableWriter<CheckoutRow, number>;
  deadLetters: PartitionedTableWriter<DeadLetterRow, number>;
}

export interface TopicCounts {
  read: number;
  valid: number;
  invalid: number;
}

/**
 * Builds the batch handler for the range reader; `counts` is updated as records are processed.
 * `clock` is the wall clock future event times are judged against (tests pass their own).
 */
export function topicRowsHandler(
  config: {
    topics: { clicks: string; checkouts: string };
    reads: PartitionRead[];
    maxFutureSkewMs: number;
  },
  writers: TopicWriters,
  counts: Record<string, TopicCounts>,
  clock: () => number = Date.now,
): RangeBatchHandler {
  const { topics, reads, maxFutureSkewMs } = config;
  const starts = new Map(reads.map((r) => [`${r.topic}/${r.partition}`, r.tableStarts]));
  for (const t of [topics.clicks, topics.checkouts])
    counts[t] ??= { read: 0, valid: 0, invalid: 0 };
  return async (topic, partition, records) => {
    const tableStarts = starts.get(`${topic}/${partition}`);
    if (!tableStarts)
      throw new Error(`records for ${topic}/${partition}, which this run does not read`);
    const deadStart = tableStarts.dead_letters ?? Infinity;
    const count = counts[topic]!;
    const deadRows: DeadLetterRow[] = [];
    const dead = (r: RangeRecord, reason: string) => {
      if (r.offset >= deadStart) {
        deadRows.push({
          topic,
          partition,
          offset: r.offset,
          ingestedAt: r.timestamp,
          raw: r.value === null ? new Uint8Array(0) : new Uint8Array(r.value),
          reason,
        });
      }
    };
    // One pass for either topic: valid events from the table's start become rows, the rest dead letters.
    const read = { now: clock(), maxFutureSkewMs };
    const rowsOf = <E>(
      parse: (raw: RawMessage, options: ParseOptions) => ParseResult<E>,
      start: number,
    ) => {
      const rows: {
        event: E;
        topic: string;
        partition: number;
        offset: number;
        ingestedAt: number;
      }[] = [];
      for (const r of records) {
        const parsed = parse(r.value, read);
        if (parsed.ok) {
          count.valid++;
          if (r.offset >= start) {
            rows.push({
              event: parsed.event,
              topic,
              partition,
              offset: r.offset,
              ingestedAt: r.timestamp,
            });
          }
        } else {
          count.invalid++;
          dead(r, parsed.reason);
        }
      }
      return rows;
    };
    if (topic === topics.clicks) {
      await writers.clicks.appendAll(rowsOf(parseClick, tableStarts.clicks ?? Infinity));
    } else if (topic === topics.checkouts) {
      await writers.checkouts.appendAll(rowsOf(parseCheckout, tableStarts.checkouts ?? Infinity));
    } else {
      throw new Error(`unexpected topic ${topic}`);
    }
    count.read += records.length;
    if (deadRows.length > 0) await writers.deadLetters.appendAll(deadRows);
  };
}

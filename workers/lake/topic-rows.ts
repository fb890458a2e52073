// Turns the records read from the source topics into lake rows with the speed layer's parser
// (lib/schemas/message-decoder.ts over lib/domain/events.ts: JSON or Confluent-framed Avro, per
// message): valid events become clicks/checkouts rows, anything else a dead-letter row with its
// reason. A table only takes offsets at or past its own stored offset. The writer schemas of a
// batch's Avro values are fetched before it is parsed; while the registry is unreachable that
// waits (registryWaitMs), then fails the run: a message is never dead-lettered for it.
// The parser's clock is this process's at read time (one reading per batch), as the spec says of
// future event times: see docs/lake.md, "Event times from the future".
import type { ParseOptions, ParseResult, RawMessage } from '../../lib/domain/events.ts';
import { createMessageDecoder, type MessageDecoder } from '../../lib/schemas/message-decoder.ts';
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
 * How long a batch waits for an unreachable registry before the run fails: under the range
 * reader's stall timeout (60 s), so the failure names the registry, not a stalled read.
 */
export const DEFAULT_REGISTRY_WAIT_MS = 30_000;

/** The registry stayed unreachable: the run stops with nothing committed, to be redone. */
export class SchemaRegistryUnavailableError extends Error {
  constructor(topic: string, partition: number, waitedMs: number, cause: unknown) {
    super(
      `the schema registry did not answer for ${Math.round(waitedMs / 1000)} s while reading ${topic}/${partition} ` +
        `(${cause instanceof Error ? cause.message : String(cause)}); nothing of this run is committed and the next run reads these messages again`,
      { cause },
    );
    this.name = 'SchemaRegistryUnavailableError';
  }
}

/**
 * Builds the batch handler for the range reader; `counts` is updated as records are processed.
 * `clock` is the wall clock future event times are judged against (tests pass their own);
 * `decoder` reads each value (default: no registry, so Avro values are dead letters).
 */
export function topicRowsHandler(
  config: {
    topics: { clicks: string; checkouts: string };
    reads: PartitionRead[];
    maxFutureSkewMs: number;
    registryWaitMs?: number;
  },
  writers: TopicWriters,
  counts: Record<string, TopicCounts>,
  clock: () => number = Date.now,
  decoder: MessageDecoder = createMessageDecoder(undefined),
): RangeBatchHandler {
  const { topics, reads, maxFutureSkewMs } = config;
  const registryWaitMs = config.registryWaitMs ?? DEFAULT_REGISTRY_WAIT_MS;
  const prepare = async (topic: string, partition: number, records: RangeRecord[]) => {
    try {
      await decoder.prepare(
        records.map((r) => r.value),
        AbortSignal.timeout(registryWaitMs),
      );
    } catch (error) {
      if ((error as Error).name === 'TimeoutError')
        throw new SchemaRegistryUnavailableError(topic, partition, registryWaitMs, error);
      throw error;
    }
  };
  const starts = new Map(reads.map((r) => [`${r.topic}/${r.partition}`, r.tableStarts]));
  for (const t of [topics.clicks, topics.checkouts])
    counts[t] ??= { read: 0, valid: 0, invalid: 0 };
  return async (topic, partition, records) => {
    const tableStarts = starts.get(`${topic}/${partition}`);
    if (!tableStarts)
      throw new Error(`records for ${topic}/${partition}, which this run does not read`);
    const deadStart = tableStarts.dead_letters ?? Infinity;
    const count = counts[topic]!;
    await prepare(topic, partition, records);
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
      await writers.clicks.appendAll(
        rowsOf((raw, o) => decoder.parseClick(raw, o), tableStarts.clicks ?? Infinity),
      );
    } else if (topic === topics.checkouts) {
      await writers.checkouts.appendAll(
        rowsOf((raw, o) => decoder.parseCheckout(raw, o), tableStarts.checkouts ?? Infinity),
      );
    } else {
      throw new Error(`unexpected topic ${topic}`);
    }
    count.read += records.length;
    if (deadRows.length > 0) await writers.deadLetters.appendAll(deadRows);
  };
}

// The AvailableNow bound: which offsets of which topic-partitions one export reads. Pure.
// Each Delta table stores, per source topic-partition, the next offset it needs (its txn
// version). A partition is read from the smallest next offset among the tables it feeds up to
// the end offset fixed when the run started; each table then keeps only rows at or past its own
// next offset, so a run killed between two table commits writes nothing twice.
import { offsetAppId } from './lake-tables.ts';

export interface PartitionBounds {
  partition: number;
  /** Log start offset (earliest still retained). */
  low: number;
  /** End offset when the run started (high watermark): the next offset to be written. */
  high: number;
}

export interface TopicBounds {
  topic: string;
  partitions: PartitionBounds[];
}

export interface TableProgress {
  table: string;
  /** Source topics whose rows this table holds. */
  topics: string[];
  /** Latest txn version per appId in the table's snapshot. */
  txnVersions: Map<string, number>;
}

export interface PartitionRead {
  topic: string;
  partition: number;
  /** First offset to read (inclusive). */
  from: number;
  /** Offset to stop before (exclusive): the end fixed at the start of the run. */
  to: number;
  /** Per table fed by this topic: the first offset it accepts. */
  tableStarts: Record<string, number>;
}

export interface ReadPlan {
  reads: PartitionRead[];
  /** Messages to read per topic. */
  toRead: Record<string, number>;
  warnings: string[];
}

export class OffsetsAheadOfTopicError extends Error {
  constructor(readonly details: string[]) {
    super(
      `The lake has consumed offsets that the topic does not have, so the topic was deleted and ` +
        `recreated or truncated:\n${details.map((d) => `  - ${d}`).join('\n')}\n` +
        'Refusing to export: rows would be skipped or duplicated. Export into a new LAKE_URI, or ' +
        'remove the affected tables if the old data is to be dropped.',
    );
    this.name = 'OffsetsAheadOfTopicError';
  }
}

/** Plans one export; throws OffsetsAheadOfTopicError if a table is ahead of its topic. */
export function planReads(topics: TopicBounds[], tables: TableProgress[]): ReadPlan {
  const reads: PartitionRead[] = [];
  const toRead: Record<string, number> = {};
  const warnings: string[] = [];
  const ahead: string[] = [];
  for (const { topic, partitions } of topics) {
    toRead[topic] = 0;
    const feeding = tables.filter((t) => t.topics.includes(topic));
    for (const { partition, low, high } of [...partitions].sort(
      (a, b) => a.partition - b.partition,
    )) {
      const tableStarts: Record<string, number> = {};
      for (const table of feeding) {
        const stored = table.txnVersions.get(offsetAppId(topic, partition));
        let start = stored ?? low;
        if (stored !== undefined && stored > high) {
          ahead.push(
            `${table.table}: ${topic}/${partition} next offset ${stored}, topic ends at ${high}`,
          );
        }
        if (start < low) {
          warnings.push(
            `${table.table}: ${topic}/${partition} offsets ${start}..${low - 1} were deleted by Kafka retention before they were exported`,
          );
          start = low;
        }
        tableStarts[table.table] = start;
      }
      const starts = Object.values(tableStarts);
      const from = starts.length > 0 ? Math.min(...starts) : high;
      reads.push({ topic, partition, from, to: high, tableStarts });
      toRead[topic] += Math.max(0, high - from);
    }
  }
  if (ahead.length > 0) throw new OffsetsAheadOfTopicError(ahead);
  return { reads, toRead, warnings };
}

/** The txn actions a table commits after a run: version = the end offset for every partition read. */
export function txnVersionsAfterRun(plan: ReadPlan, table: TableProgress): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of plan.reads) {
    const start = r.tableStarts[table.table];
    if (start === undefined) continue;
    const appId = offsetAppId(r.topic, r.partition);
    // Unchanged offsets need no txn action; a first run records where it started even if empty.
    if (start < r.to || !table.txnVersions.has(appId)) out.set(appId, r.to);
  }
  return out;
}

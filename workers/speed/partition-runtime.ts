// One assigned partition in a worker: the pure engine plus what the edges need
// around it (the next offsets to read, sink rows tagged with their partition
// and production time). No I/O here either.
import type { Checkout } from '../../lib/domain/events.ts';
import { AttributionPartition, type PartitionStats } from '../../lib/domain/partition-engine.ts';
import type { InternalMeta, Marker, RoutedClick } from './internal-wire.ts';
import type { CheckoutRow } from './sink.ts';

/** Every partition of both source topics: the sources whose markers make the watermark. */
export function expectedSources(sourcePartitions: number): string[] {
  const sources: string[] = [];
  for (const topic of ['clicks', 'checkouts']) {
    for (let p = 0; p < sourcePartitions; p++) sources.push(`${topic}/${p}`);
  }
  return sources;
}

export interface RuntimeOutput {
  rows: { row: CheckoutRow; producedAt: number }[];
  attributed: number;
  unattributed: number;
  lateClicks: number;
  lateCheckouts: number;
}

export class PartitionRuntime {
  /** Next offset to read per internal topic; travels with the snapshot. */
  nextOffsets: Record<string, string> = {};

  private constructor(
    readonly partition: number,
    private readonly engine: AttributionPartition,
  ) {}

  static fresh(partition: number, sources: string[], allowedLatenessMs: number): PartitionRuntime {
    return new PartitionRuntime(
      partition,
      new AttributionPartition({ allowedLatenessMs, expectedSources: sources }),
    );
  }

  static fromSnapshot(partition: number, state: Uint8Array): PartitionRuntime {
    return new PartitionRuntime(partition, AttributionPartition.decode(state));
  }

  get watermark(): number {
    return this.engine.watermark;
  }

  /** See AttributionPartition.forgetProgressAfter: repairs a watermark past `limit`. */
  forgetProgressAfter(limit: number): string[] {
    return this.engine.forgetProgressAfter(limit);
  }

  retainedClicks(userId: number, productId: string) {
    return this.engine.retainedClicks(userId, productId);
  }

  get maxEventTime(): number {
    return this.engine.maxEventTime;
  }

  onClick(click: RoutedClick, meta: InternalMeta): void {
    this.engine.onClick(click, { messageTime: meta.producedAt });
  }

  onCheckout(checkout: Checkout, meta: InternalMeta, userName: string | undefined): void {
    this.engine.onCheckout(checkout, { messageTime: meta.producedAt }, userName);
  }

  onMarker(marker: Marker): void {
    this.engine.onMarker({
      source: marker.source,
      maxEventTime: marker.maxEventTime ?? Number.NEGATIVE_INFINITY,
      idle: marker.idle,
    });
  }

  drain(): RuntimeOutput {
    const { rows, counters } = this.engine.drain();
    return {
      rows: rows.map(({ triggerMessageTime, ...row }) => ({
        row: { ...row, partition: this.partition },
        producedAt: triggerMessageTime ?? 0,
      })),
      attributed: counters.finalAttributed,
      unattributed: counters.finalUnattributed,
      lateClicks: counters.lateClicks,
      lateCheckouts: counters.lateCheckouts,
    };
  }

  encode(): Uint8Array {
    return this.engine.encodeSnapshot();
  }

  stats(): PartitionStats {
    return this.engine.stats();
  }
}

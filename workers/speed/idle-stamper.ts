// Sends the idle markers of quiet, caught-up source partitions (docs/design.md, "Quiet
// sources"): once a second, for each assigned source partition with no record for the idle
// timeout, it asks the broker where the partition ends and, if this group has read it all,
// stamps it with G on every internal partition. The decisions are in quiet-sources.ts.
import type { Admin } from 'kafkajs';
import { describeError, errorKind } from '../../lib/faults/error-kinds.ts';
import type { DependencyHealth } from './dependency-health.ts';
import type { InternalMessage, InternalProducer } from './internal-producer.ts';
import { encodeMarker } from './internal-wire.ts';
import type { SpeedMetrics } from './metrics.ts';
import { idleStamp, isCaughtUp, lagOf } from './quiet-sources.ts';

/** What the repartitioner knows of one source partition (key: its source id, `clicks/3`). */
export interface SourceProgress {
  maxEventTime: number | null;
  lastDataAt: number;
  idleSentAt: number | null;
}

export interface IdleStamperOptions {
  /** The group's committed offsets. */
  admin: Admin;
  /** High watermarks (read_uncommitted; lib/kafka/high-watermarks.ts). */
  highWatermarks: Admin;
  internal: InternalProducer;
  groupId: string;
  topics: { clicks: string; checkouts: string; clicksByUser: string; checkoutsByUser: string };
  partitions: number;
  idleTimeoutMs: number;
  /** By source id; kept up to date by the repartitioner's batches. */
  progress: ReadonlyMap<string, SourceProgress>;
  /** By `${topic}/${partition}`: the consumer's position, control records included. */
  positions: ReadonlyMap<string, bigint>;
  assigned: () => readonly { topic: string; partition: number }[];
  sourceId: (topic: string, partition: number) => string;
  knownMaxEventTime?: () => number;
  metrics: SpeedMetrics;
  health?: DependencyHealth;
  onFatal: (error: unknown, context: string) => void;
  stopping: AbortSignal;
}

export class IdleStamper {
  private running = false;

  constructor(private readonly o: IdleStamperOptions) {}

  /**
   * A caught-up, quiet source partition would hold the watermark back forever. Instead of
   * dropping it from the minimum (racy: its next data may already be on the way), its marker
   * is stamped with G, the largest event time this repartitioner had read from any source
   * before it checked that the partition is caught up. Anything appended to the partition
   * after that check was produced after every event behind G, so if on time it is at or above
   * G - L: the stamp can never make an on-time event late. G also takes in the largest event
   * time the attributor has seen in markers (read earlier, so produced earlier: still safe),
   * and is capped at the wall clock. Re-sent while the quiet lasts, so the watermark keeps up
   * with the other sources.
   */
  async check(): Promise<void> {
    const assigned = this.o.assigned();
    if (this.running || assigned.length === 0 || this.o.stopping.aborted) return;
    this.running = true;
    try {
      await this.stampQuietSources(assigned);
      this.o.health?.recovered('kafka', 'idle check');
    } catch (error) {
      if (this.o.stopping.aborted) return;
      // Not retried here: the next check, a second later, sends a fresher stamp.
      if (errorKind(error) === 'transient') {
        this.o.health?.retrying('kafka', 'idle check', `idle check: ${describeError(error)}`);
      } else {
        this.o.onFatal(error, 'idle check failed');
      }
    } finally {
      this.running = false;
    }
  }

  private async stampQuietSources(
    assigned: readonly { topic: string; partition: number }[],
  ): Promise<void> {
    const now = Date.now();
    const candidates = assigned.filter(({ topic, partition }) => {
      const p = this.o.progress.get(this.o.sourceId(topic, partition));
      if (!p || now - p.lastDataAt < this.o.idleTimeoutMs) return false;
      // Re-announced each idle interval with a fresh stamp, so the watermark keeps moving.
      return p.idleSentAt === null || now - p.idleSentAt >= this.o.idleTimeoutMs;
    });
    if (candidates.length === 0) return;
    // G must be read before the end offsets (see above).
    const stamp = idleStamp(
      [
        this.o.knownMaxEventTime?.() ?? null,
        ...[...this.o.progress.values()].map((p) => p.maxEventTime),
      ],
      now,
    );
    const topics = [...new Set(candidates.map((c) => c.topic))];
    const [ends, committed] = await Promise.all([
      Promise.all(
        topics.map(async (t) => [t, await this.o.highWatermarks.fetchTopicOffsets(t)] as const),
      ),
      this.o.admin.fetchOffsets({ groupId: this.o.groupId, topics }),
    ]);
    const endOf = new Map(
      ends.flatMap(([t, parts]) =>
        parts.map((p) => [`${t}/${p.partition}`, { low: BigInt(p.low), high: BigInt(p.high) }]),
      ),
    );
    const committedOf = new Map(
      committed.flatMap((t) =>
        t.partitions.map((p) => [`${t.topic}/${p.partition}`, BigInt(p.offset)]),
      ),
    );
    const byTopic = new Map<string, InternalMessage[]>();
    for (const { topic, partition } of candidates) {
      const key = `${topic}/${partition}`;
      const source = this.o.sourceId(topic, partition);
      const p = this.o.progress.get(source)!;
      const end = endOf.get(key);
      if (!end) continue;
      const commit = committedOf.get(key) ?? -1n;
      const offsets = {
        ...end,
        position: this.o.positions.get(key) ?? null,
        committed: commit >= 0n ? commit : null,
      };
      this.o.metrics.consumerLag.set(
        { topic, partition: String(partition) },
        Number(lagOf(offsets)),
      );
      // Data may have arrived while we were asking the broker.
      const quiet = Date.now() - p.lastDataAt >= this.o.idleTimeoutMs;
      if (!quiet || !isCaughtUp(offsets)) continue;
      const announced = Math.max(
        p.maxEventTime ?? Number.NEGATIVE_INFINITY,
        stamp ?? Number.NEGATIVE_INFINITY,
      );
      const value = encodeMarker({
        source,
        maxEventTime: Number.isFinite(announced) ? announced : null,
        idle: true,
        readToEnd: true,
      });
      const target =
        topic === this.o.topics.clicks ? this.o.topics.clicksByUser : this.o.topics.checkoutsByUser;
      const list = byTopic.get(target) ?? [];
      for (let i = 0; i < this.o.partitions; i++) list.push({ partition: i, value });
      byTopic.set(target, list);
      p.idleSentAt = now;
    }
    for (const [topic, messages] of byTopic) {
      await this.o.internal.send(topic, messages, (run) => run());
    }
  }
}

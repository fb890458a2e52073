// Lets a consumer group member rejoin as soon as it learns of a rebalance. kafkajs hands a fetch's
// batches to eachBatch one after another and waits for every one of them even after one failed
// (its worker queue settles them all): a heartbeat answering "the group is rebalancing" failed
// one batch, and the fetch's other batches were still processed — their effects replayed by the
// partitions' next owners — before this member rejoined. Every member of the group waits for
// the slowest to rejoin: a worker started beside one busy with a backlog sat idle for seconds.
// Once the latch has seen a rejoin error, every batch fails at once with it, until the member
// has joined the group again.
import { isGroupRejoin } from './consumer-restart.ts';

export class RejoinLatch {
  private pending: unknown = undefined;

  /** Throws the group's rejoin error while one is pending: call first in each batch. */
  check(): void {
    if (this.pending !== undefined) throw this.pending;
  }

  /** True while the member must rejoin before it processes anything more. */
  get rejoining(): boolean {
    return this.pending !== undefined;
  }

  /** Remembers `error` if it asks this member to rejoin the group; other errors pass by. */
  note(error: unknown): void {
    if (this.pending === undefined && isGroupRejoin(error)) this.pending = error;
  }

  /** The member joined the group (kafkajs's GROUP_JOIN): batches run again. */
  joined(): void {
    this.pending = undefined;
  }

  /**
   * The batch's heartbeat, noting the rejoin it may report. kafkajs sends a heartbeat only when
   * the interval has passed since the last one that succeeded: most calls cost nothing.
   */
  heartbeat(heartbeat: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await heartbeat();
      } catch (error) {
        this.note(error);
        throw error;
      }
    };
  }
}

// The attributor's way to the sink: writes a flush's rows, retrying transient failures for as
// long as they last (the attributor's batches wait meanwhile: `down` says so), sends the rows the
// sink refuses to the dead-letter store, and records the sink's batch time and each row's end-to-
// end latency. Which rows, and when, is the attributor's business (attributor.ts, "flush").
import type { PrismaClient } from '../../lib/db/client.ts';
import { retryTransient } from '../../lib/faults/retry.ts';
import { insertDeadLetters } from './dead-letters.ts';
import type { DependencyHealth } from './dependency-health.ts';
import type { SpeedMetrics } from './metrics.ts';
import { sinkDeadLetter } from './sink-dead-letters.ts';
import {
  conflictingDuplicate,
  writeCheckoutRows,
  type CheckoutRow,
  type RefusedRow,
} from './sink.ts';

/** A row waiting for the sink, and when its event was produced (0: unknown). */
export interface PendingRow {
  row: CheckoutRow;
  producedAt: number;
  /**
   * Set for a copy of a checkout id that its partition already has under this other user id
   * (partition-engine.ts): the copy is dead-lettered, never written, as the sink's owner check
   * would (sink.ts).
   */
  conflictOwner?: number;
}

/** Pending rows, one per (checkout id, user id): a newer answer for the same row replaces it. */
export type PendingRows = Map<string, PendingRow>;

export const pendingRowKey = (row: CheckoutRow): string => `${row.checkoutId}\u0000${row.userId}`;

export interface SinkWriterOptions {
  db: PrismaClient;
  health: DependencyHealth;
  metrics: SpeedMetrics;
  /** Ends the retries (the worker is stopping). */
  signal: AbortSignal;
  log: (msg: string) => void;
}

export class SinkWriter {
  private sinkDown = false;

  constructor(private readonly o: SinkWriterOptions) {}

  /** True while a write is failing transiently: the consumer should take no more batches. */
  get down(): boolean {
    return this.sinkDown;
  }

  /** Writes `rows`; throws only for a bug or when stopped (the caller then keeps the rows). */
  async write(rows: PendingRows): Promise<void> {
    const started = performance.now();
    const toWrite: CheckoutRow[] = [];
    const conflicts: RefusedRow[] = [];
    for (const p of rows.values()) {
      if (p.conflictOwner === undefined) toWrite.push(p.row);
      else conflicts.push(conflictingDuplicate(p.row, p.conflictOwner));
    }
    const result = await retryTransient(() => writeCheckoutRows(this.o.db, toWrite), {
      what: 'sink flush',
      signal: this.o.signal,
      onTransient: (_error, _attempt, description) => {
        this.sinkDown = true;
        this.o.health.retrying('postgres', 'sink flush', description);
      },
    });
    const refused = [...conflicts, ...result.refused];
    if (refused.length > 0) {
      const letters = refused.map(sinkDeadLetter);
      await retryTransient(() => insertDeadLetters(this.o.db, letters), {
        what: 'sink dead letters',
        signal: this.o.signal,
        onTransient: (_error, _attempt, description) =>
          this.o.health.retrying('postgres', 'sink dead letters', description),
      });
      this.o.health.recovered('postgres', 'sink dead letters');
      refused.forEach(({ row }, i) => {
        const letter = letters[i]!;
        // A checkout's provisional and final rows are refused alike, and share one letter (its
        // offset is the row's key): counted once, for the final row, which every checkout gets.
        if (row.isFinal)
          this.o.metrics.deadLetters.inc({ topic: letter.topic, reason: letter.kind });
        this.o.log(`dead-lettered a sink row: ${letter.reason}`);
      });
    }
    this.sinkDown = false;
    this.o.health.recovered('postgres', 'sink flush');
    const written = Date.now();
    this.o.metrics.sinkBatchSeconds.observe((performance.now() - started) / 1000);
    for (const { row, producedAt } of rows.values()) {
      if (producedAt > 0) {
        this.o.metrics.endToEndLatency.observe(
          { kind: row.isFinal ? 'final' : 'provisional' },
          Math.max(0, written - producedAt) / 1000,
        );
      }
    }
  }
}

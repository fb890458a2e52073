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
import { writeCheckoutRows, type CheckoutRow } from './sink.ts';

/** A row waiting for the sink, and when its event was produced (0: unknown). */
export interface PendingRow {
  row: CheckoutRow;
  producedAt: number;
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
    const result = await retryTransient(
      () =>
        writeCheckoutRows(
          this.o.db,
          [...rows.values()].map((p) => p.row),
        ),
      {
        what: 'sink flush',
        signal: this.o.signal,
        onTransient: (_error, _attempt, description) => {
          this.sinkDown = true;
          this.o.health.retrying('postgres', 'sink flush', description);
        },
      },
    );
    if (result.refused.length > 0) {
      const letters = result.refused.map(sinkDeadLetter);
      await retryTransient(() => insertDeadLetters(this.o.db, letters), {
        what: 'sink dead letters',
        signal: this.o.signal,
        onTransient: (_error, _attempt, description) =>
          this.o.health.retrying('postgres', 'sink dead letters', description),
      });
      this.o.health.recovered('postgres', 'sink dead letters');
      for (const letter of letters) {
        this.o.metrics.deadLetters.inc({ topic: letter.topic, reason: letter.kind });
        this.o.log(`dead-lettered a sink row: ${letter.reason}`);
      }
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

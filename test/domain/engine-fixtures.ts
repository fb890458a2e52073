// Test fixtures for the engine: compact event builders and a driver that feeds a step list and
// collects every row written. Used only by tests (kept out of *.test.ts so several can share it).
import type { Checkout, Click } from '../../lib/domain/events.ts';
import {
  AttributionPartition,
  type CheckoutRow,
  type ConflictingCheckout,
  type PartitionCounters,
} from '../../lib/domain/partition-engine.ts';

export const LATENESS_MS = 15_000;
export const SOURCES = ['clicks/0', 'checkouts/0'];

/** Epoch ms of a time of day on 2026-03-01 (UTC), written `HH:MM[:SS[.mmm]]`. */
export const at = (hms: string): number => Date.parse(`2026-03-01T${hms}Z`);

export function makeClick(clickId: string, time: number, userId = 1, productId = 'p'): Click {
  return {
    clickId,
    userId,
    productId,
    product: 'Lamp',
    price: 10,
    url: `https://shop.example/${productId}`,
    userAgent: 'ua',
    ipAddress: '10.0.0.1',
    time,
  };
}

export function makeCheckout(
  checkoutId: string,
  time: number,
  userId = 1,
  productId = 'p',
): Checkout {
  return {
    checkoutId,
    userId,
    productId,
    paymentMethod: 'card',
    totalAmount: '19.90',
    shippingAddress: 'ship',
    billingAddress: 'bill',
    userAgent: 'ua',
    ipAddress: '10.0.0.2',
    time,
  };
}

export type Step =
  | { click: Click }
  | { checkout: Checkout; userName?: string | undefined; unknownUser?: boolean }
  /** Every expected source reports `maxEventTime` (so the watermark becomes it - L). */
  | { seen: number }
  | { marker: { source: string; maxEventTime: number; idle: boolean } };

export const newEngine = () =>
  new AttributionPartition({ allowedLatenessMs: LATENESS_MS, expectedSources: SOURCES });

/** Feeds steps, draining after each one; returns every row in order and the total counters. */
export function run(
  steps: Step[],
  engine = newEngine(),
): {
  rows: CheckoutRow[];
  conflicts: ConflictingCheckout[];
  counters: PartitionCounters;
  engine: AttributionPartition;
} {
  const rows: CheckoutRow[] = [];
  const conflicts: ConflictingCheckout[] = [];
  for (const step of steps) {
    if ('click' in step) engine.onClick(step.click, {});
    else if ('checkout' in step) {
      const name = step.unknownUser ? undefined : (step.userName ?? `user-${step.checkout.userId}`);
      engine.onCheckout(step.checkout, {}, name);
    } else if ('seen' in step) {
      for (const source of SOURCES) {
        engine.onMarker({ source, maxEventTime: step.seen, idle: false });
      }
    } else engine.onMarker(step.marker);
    const out = engine.drain();
    rows.push(...out.rows);
    conflicts.push(...out.conflicts);
  }
  return { rows, conflicts, counters: engine.counters(), engine };
}

/** A marker step that moves the watermark beyond every event of the day. */
export const END: Step = { seen: Date.parse('2026-03-02T12:00:00Z') };

/** The final row of each checkout id; throws if one has two. */
export function finalRows(rows: CheckoutRow[]): Map<string, CheckoutRow> {
  const finals = new Map<string, CheckoutRow>();
  for (const row of rows) {
    if (!row.isFinal) continue;
    if (finals.has(row.checkoutId)) throw new Error(`two final rows for ${row.checkoutId}`);
    finals.set(row.checkoutId, row);
  }
  return finals;
}

/** checkout id → attributed click id of the final rows. */
export function finalClicks(rows: CheckoutRow[]): Record<string, string | null> {
  return Object.fromEntries([...finalRows(rows)].map(([id, row]) => [id, row.clickId]));
}

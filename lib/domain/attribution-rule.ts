// The first-click attribution rule's decision (docs/attribution.md), the one implementation in
// TypeScript: the window, the order of candidates, and the click a checkout is attributed to.
// The engine (partition-engine.ts) applies it to the clicks it retains, the web's explanation of
// a checkout to the clicks it knows. Tests compare both with an independent oracle
// (test/domain/oracle.ts); the batch SQL (dbt) recomputes the rule on its own.
import { compareTimeThenId } from './byte-order.ts';
import type { ClickStore, RetainedClick } from './click-store.ts';

/** The attribution window: a click counts if `checkout.t - 1 h <= click.t <= checkout.t`. */
export const ATTRIBUTION_WINDOW_MS = 3_600_000;

/** The clicks that can win a checkout at `checkoutTime`: `from <= click.time <= to`. */
export function attributionWindow(checkoutTime: number): { from: number; to: number } {
  return { from: checkoutTime - ATTRIBUTION_WINDOW_MS, to: checkoutTime };
}

/** Whether candidate `a` beats candidate `b`: earlier, ties to the smaller click_id in byte order. */
export function beats(
  a: Pick<RetainedClick, 'clickId' | 'time'>,
  b: Pick<RetainedClick, 'clickId' | 'time'>,
): boolean {
  return compareTimeThenId(a.time, a.clickId, b.time, b.clickId) < 0;
}

/**
 * The click a checkout is attributed to, from the clicks `store` retains: the smallest
 * (time, click_id) of its user and product inside its window; undefined when there is none.
 */
export function attributedClick(
  store: ClickStore,
  checkout: { userId: number; productId: string; time: number },
): RetainedClick | undefined {
  const { from, to } = attributionWindow(checkout.time);
  return store.earliestInWindow(checkout.userId, checkout.productId, from, to);
}

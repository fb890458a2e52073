// The first-click attribution rule, written as literally as the spec states it. This is the
// reference (oracle) the streaming engine and the batch SQL are tested against: keep it naive.
import { compareTimeThenId } from './byte-order.ts';

/** The attribution window: a click counts if `checkout.t - 1 h <= click.t <= checkout.t`. */
export const ATTRIBUTION_WINDOW_MS = 3_600_000;

export type RuleClick = { clickId: string; userId: number; productId: string; time: number };
export type RuleCheckout = { checkoutId: string; userId: number; productId: string; time: number };

export interface Attribution {
  checkoutId: string;
  clickId: string | null;
  clickTime: number | null;
}

/** Whether click `k` is a candidate of checkout `c` (same user and product, inclusive window). */
export function isCandidate(k: RuleClick, c: RuleCheckout): boolean {
  return (
    k.userId === c.userId &&
    k.productId === c.productId &&
    c.time - ATTRIBUTION_WINDOW_MS <= k.time &&
    k.time <= c.time
  );
}

/** Keeps the first occurrence of each id, in input order. */
function firstById<T>(items: readonly T[], id: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = id(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Applies the rule to a complete input: one result per distinct checkout id (first occurrence
 * wins, in input order), attributed to the candidate with the smallest (time, click_id in byte
 * order), clicks deduplicated by id (first occurrence wins). O(checkouts × clicks).
 */
export function attributeBruteForce(
  clicks: readonly RuleClick[],
  checkouts: readonly RuleCheckout[],
): Attribution[] {
  const uniqueClicks = firstById(clicks, (k) => k.clickId);
  return firstById(checkouts, (c) => c.checkoutId).map((c) => {
    let best: RuleClick | undefined;
    for (const k of uniqueClicks) {
      if (!isCandidate(k, c)) continue;
      if (!best || compareTimeThenId(k.time, k.clickId, best.time, best.clickId) < 0) best = k;
    }
    return {
      checkoutId: c.checkoutId,
      clickId: best ? best.clickId : null,
      clickTime: best ? best.time : null,
    };
  });
}

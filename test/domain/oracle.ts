// The first-click attribution rule written as literally as docs/attribution.md states it, for
// tests only: the oracle the engine (lib/domain/partition-engine.ts), the web's explanation and the
// batch SQL are compared with. Kept naive and independent of the implementation on purpose: its
// own window constant and its own byte order (Node's Buffer), nothing imported from lib/domain.

/** One hour: a click counts if `checkout.t - 1 h <= click.t <= checkout.t`. */
const WINDOW_MS = 60 * 60 * 1000;

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
    c.time - WINDOW_MS <= k.time &&
    k.time <= c.time
  );
}

/** Whether `a` comes before `b`: the smaller time, then the smaller id in UTF-8 byte order. */
function isBefore(a: RuleClick, b: RuleClick): boolean {
  if (a.time !== b.time) return a.time < b.time;
  return Buffer.compare(Buffer.from(a.clickId, 'utf8'), Buffer.from(b.clickId, 'utf8')) < 0;
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
      if (isCandidate(k, c) && (!best || isBefore(k, best))) best = k;
    }
    return {
      checkoutId: c.checkoutId,
      clickId: best ? best.clickId : null,
      clickTime: best ? best.time : null,
    };
  });
}

// The speed layer's final answer for an on-time stream, computed in one pass with bounded memory,
// for lakes too large for the brute-force rule (the benchmark's 10 M events). A checkout is
// settled once the stream's largest event time is `settleMs` past it (no on-time click can still
// change it); clicks older than every unsettled checkout's window are dropped. Ids are deduplicated,
// first occurrence wins, and ties go to the smaller click id in byte order, as the rule says.
import { ATTRIBUTION_WINDOW_MS } from '../../../lib/domain/attribution-rule.ts';
import { compareTimeThenId } from '../../../lib/domain/byte-order.ts';
import type { Checkout, Click } from '../../../lib/domain/events.ts';

export interface SettledCheckout {
  checkout: Checkout;
  clickId: string | null;
  clickTime: number | null;
}

interface KeyedClick {
  id: string;
  time: number;
}

export class StreamingAttribution {
  /** Clicks per `user/product`, sorted by (time, id). */
  private readonly clicks = new Map<string, KeyedClick[]>();
  private readonly seenCheckouts = new Set<string>();
  private pending: Checkout[] = [];
  private maxEventTime = -Infinity;

  constructor(private readonly settleMs: number) {}

  addClick(click: Click): void {
    this.maxEventTime = Math.max(this.maxEventTime, click.time);
    const key = `${click.userId}/${click.productId}`;
    let list = this.clicks.get(key);
    if (!list) this.clicks.set(key, (list = []));
    // Insert in (time, id) order; streams are nearly ordered, so search from the end.
    let at = list.length;
    while (
      at > 0 &&
      compareTimeThenId(list[at - 1]!.time, list[at - 1]!.id, click.time, click.clickId) > 0
    )
      at--;
    if (at > 0 && list[at - 1]!.id === click.clickId) return; // a duplicate (same id, same time)
    // A duplicate with another time is still the same click: first occurrence wins.
    if (list.some((k) => k.id === click.clickId)) return;
    list.splice(at, 0, { id: click.clickId, time: click.time });
  }

  addCheckout(checkout: Checkout): void {
    this.maxEventTime = Math.max(this.maxEventTime, checkout.time);
    if (this.seenCheckouts.has(checkout.checkoutId)) return;
    this.seenCheckouts.add(checkout.checkoutId);
    this.pending.push(checkout);
  }

  /** Checkouts no on-time event can change any more, attributed; call as often as convenient. */
  settle(): SettledCheckout[] {
    const horizon = this.maxEventTime - this.settleMs;
    const ready = this.pending.filter((c) => c.time < horizon);
    if (ready.length === 0) return [];
    this.pending = this.pending.filter((c) => c.time >= horizon);
    const out = ready.map((c) => this.attribute(c));
    this.evict();
    return out;
  }

  /** Every remaining checkout, attributed: the end of the stream. */
  finish(): SettledCheckout[] {
    const out = this.pending.map((c) => this.attribute(c));
    this.pending = [];
    return out;
  }

  private attribute(c: Checkout): SettledCheckout {
    const list = this.clicks.get(`${c.userId}/${c.productId}`) ?? [];
    const from = c.time - ATTRIBUTION_WINDOW_MS;
    // The first click at or after the window's start: the smallest (time, id) candidate.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.time < from) lo = mid + 1;
      else hi = mid;
    }
    const first = list[lo];
    return first && first.time <= c.time
      ? { checkout: c, clickId: first.id, clickTime: first.time }
      : { checkout: c, clickId: null, clickTime: null };
  }

  /** Drops clicks that no unsettled (or future on-time) checkout can reach. */
  private evict(): void {
    const oldestPending = this.pending.reduce(
      (m, c) => Math.min(m, c.time),
      this.maxEventTime - this.settleMs,
    );
    const keepFrom = oldestPending - ATTRIBUTION_WINDOW_MS;
    for (const [key, list] of this.clicks) {
      let drop = 0;
      while (drop < list.length && list[drop]!.time < keepFrom) drop++;
      if (drop === list.length) this.clicks.delete(key);
      else if (drop > 0) list.splice(0, drop);
    }
  }
}

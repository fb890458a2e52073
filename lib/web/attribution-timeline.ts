// Explains one checkout's attribution for the detail page: places the user's clicks on that
// product around the checkout and says, per click, why it did or did not win. The winner is the
// engine's own decision (lib/domain/attribution-rule.ts: earliest click in [checkout − 1 h,
// checkout], ties to the smaller id in byte order) over the clicks known here. Pure.
import { attributedClick, attributionWindow } from '../domain/attribution-rule.ts';
import { compareTimeThenId } from '../domain/byte-order.ts';
import { ClickStore } from '../domain/click-store.ts';

export type ClickRole = 'winner' | 'candidate' | 'before-window' | 'after-checkout';

export interface TimelineClick {
  clickId: string;
  time: number;
  role: ClickRole;
  /** Why the click has that role, in words. */
  reason: string;
  /** Where we know the click from: the sink row only, or a worker's retained state. */
  source: 'sink' | 'worker';
}

export interface AttributionTimeline {
  checkoutTime: number;
  windowStart: number;
  clicks: TimelineClick[];
  /** The rule's answer over the clicks known here. */
  winnerId: string | null;
  /** Whether that answer is the sink row's; null when the worker's clicks were not available. */
  agreesWithSink: boolean | null;
}

export interface KnownClick {
  clickId: string;
  time: number;
}

export function explainAttribution(
  checkout: { time: number; clickId: string | null; clickTime: number | null },
  retained: readonly KnownClick[] | null,
): AttributionTimeline {
  const windowStart = attributionWindow(checkout.time).from;
  const byId = new Map<string, KnownClick & { source: 'sink' | 'worker' }>();
  for (const c of retained ?? []) byId.set(c.clickId, { ...c, source: 'worker' });
  if (checkout.clickId !== null && checkout.clickTime !== null && !byId.has(checkout.clickId)) {
    byId.set(checkout.clickId, {
      clickId: checkout.clickId,
      time: checkout.clickTime,
      source: 'sink',
    });
  }
  const clicks = [...byId.values()].sort((a, b) =>
    compareTimeThenId(a.time, a.clickId, b.time, b.clickId),
  );
  // The known clicks are all of the checkout's user and product: one key of a store.
  const store = new ClickStore();
  for (const c of clicks) store.add(0, '', c.clickId, c.time);
  const decided = attributedClick(store, { userId: 0, productId: '', time: checkout.time });
  const winner = clicks.find((c) => c.clickId === decided?.clickId);

  return {
    checkoutTime: checkout.time,
    windowStart,
    winnerId: winner?.clickId ?? null,
    agreesWithSink: retained === null ? null : (winner?.clickId ?? null) === checkout.clickId,
    clicks: clicks.map((c) => {
      let role: ClickRole;
      let reason: string;
      if (c.time > checkout.time) {
        role = 'after-checkout';
        reason = 'after the checkout: a click cannot lead to a purchase made before it';
      } else if (c.time < windowStart) {
        role = 'before-window';
        reason = 'more than 1 hour before the checkout: outside the attribution window';
      } else if (c === winner) {
        role = 'winner';
        reason = 'the earliest click in the hour before the checkout: first click wins';
      } else {
        role = 'candidate';
        reason =
          winner && c.time === winner.time
            ? 'same millisecond as the winner, larger click id: ties go to the smaller id'
            : 'in the window, but later than the winner';
      }
      return { clickId: c.clickId, time: c.time, role, reason, source: c.source };
    }),
  };
}

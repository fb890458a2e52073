// Everything the checkout detail page shows: the sink row, the user and product, and the
// attribution timeline built from the workers' retained clicks of (user, product). The workers
// only keep clicks until the watermark is an hour past them, so for older checkouts the timeline
// falls back to the attributed click stored in the row, and says so.
import type { Db } from '../db/client.ts';
import { explainAttribution, type AttributionTimeline } from './attribution-timeline.ts';
import { getCheckout, type CheckoutDetail } from './checkout-queries.ts';
import { fetchRetainedClicks } from './worker-endpoints.ts';

export interface CheckoutExplanation extends CheckoutDetail {
  timeline: AttributionTimeline;
  /** Where the clicks on the timeline come from, in words, when it is not the full picture. */
  clicksNote: string | null;
  /** Why no worker could tell, in the workers' own words (for the signed-in operator only). */
  workerError: string | null;
}

export async function loadCheckoutExplanation(
  db: Db,
  workerUrls: readonly string[],
  checkoutId: string,
): Promise<CheckoutExplanation | null> {
  const detail = await getCheckout(db, checkoutId);
  if (!detail) return null;
  const c = detail.checkout;
  // Read from the sink with every field, so the user id is there (privacy.ts hides it later).
  const retained = await fetchRetainedClicks(workerUrls, c.userId ?? '', c.productId);
  const checkoutTime = Date.parse(c.checkoutTime);
  const timeline = explainAttribution(
    {
      time: checkoutTime,
      clickId: c.clickId,
      clickTime: c.clickTime === null ? null : Date.parse(c.clickTime),
    },
    retained.status === 'ok' ? retained.clicks : null,
  );
  let clicksNote: string | null = null;
  if (retained.status === 'unavailable') {
    clicksNote = `The user's other clicks come from the speed-layer workers' memory, and none could tell. Shown: the attributed click stored with the checkout.`;
  } else if (!timeline.clicks.some((k) => k.source === 'worker')) {
    clicksNote =
      'The workers no longer hold clicks of this user on this product: they keep clicks only until the watermark is an hour past them. Shown: the attributed click stored with the checkout.';
  } else if (timeline.agreesWithSink === false) {
    clicksNote =
      'The clicks still in the workers\u2019 memory would pick a different click than the row: earlier clicks have been evicted since, or the row is provisional and will be corrected.';
  }
  return {
    ...detail,
    timeline,
    clicksNote,
    workerError: retained.status === 'unavailable' ? retained.reason : null,
  };
}

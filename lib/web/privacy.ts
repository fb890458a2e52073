// What an anonymous reader may see (the policy is in README.md, "Security"). Aggregates stay
// open; anything that says who bought, where they live or what they browsed with is for the
// signed-in operator only. Each function takes the full, signed-in view and returns the view
// for the reader, so a new field is hidden only if added here: the list of what is personal.
import type { CheckoutExplanation } from './checkout-explanation.ts';
import type { CheckoutPage } from './checkout-queries.ts';
import type { JobRunView } from '../jobs/job-run.ts';
import type { PipelineSnapshot } from './pipeline-snapshot.ts';

export const SIGN_IN_TO_SEE = 'sign in to see';

/** Checkout rows without the buyer (user id and name). */
export function checkoutPageFor(page: CheckoutPage, signedIn: boolean): CheckoutPage {
  if (signedIn) return page;
  return {
    ...page,
    personal: false,
    rows: page.rows.map((r) => ({ ...r, userId: null, userName: null })),
  };
}

/** One checkout without the buyer, their addresses, IP address and browser. */
export function checkoutDetailFor(
  detail: CheckoutExplanation,
  signedIn: boolean,
): CheckoutExplanation {
  if (signedIn) return detail;
  return {
    ...detail,
    personal: false,
    checkout: {
      ...detail.checkout,
      userId: null,
      userName: null,
      shippingAddress: null,
      billingAddress: null,
      userAgent: null,
      ipAddress: null,
    },
    user: null,
    // Addresses and error texts of the workers are the operator's business.
    workerError: null,
  };
}

/**
 * The pipeline snapshot without its per-checkout feed (figures and charts stay) and without the
 * database's own words for a failed read.
 */
export function snapshotFor(
  snapshot: PipelineSnapshot | null,
  signedIn: boolean,
): PipelineSnapshot | null {
  if (signedIn || snapshot === null) return snapshot;
  return {
    ...snapshot,
    feed: [],
    feedHidden: true,
    workers: snapshot.workers.map((w) =>
      w.error === undefined ? w : { ...w, error: 'not answering' },
    ),
    ...(snapshot.sinkError !== undefined
      ? { sinkError: 'the sink cannot be read (the server log says why)' }
      : {}),
  };
}

/**
 * Job runs without their error text (it can quote data, paths or database messages) and without
 * the worker that ran them (a host name). Whether a run failed stays visible.
 */
export function jobRunsFor<T extends Pick<JobRunView, 'error'> & { claimedBy?: string | null }>(
  runs: T[],
  signedIn: boolean,
): T[] {
  if (signedIn) return runs;
  return runs.map((r) => ({
    ...r,
    ...(r.error === null ? {} : { error: `failed (${SIGN_IN_TO_SEE} why)` }),
    ...(r.claimedBy ? { claimedBy: null } : {}),
  }));
}

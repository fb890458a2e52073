// The values the attribution engine takes and gives: options, rows, counters, and the state a
// snapshot holds. Shared by partition-engine.ts, snapshot-codec.ts and the workers.
import type { ClickStore } from './click-store.ts';
import type { Checkout, Click } from './events.ts';
import type { SourceState } from './watermark.ts';

export interface PartitionOptions {
  allowedLatenessMs: number;
  /** Every partition of both raw topics, e.g. `clicks/0` … `checkouts/5`. */
  expectedSources: Iterable<string>;
  /**
   * How long, in watermark progress after its final row, a checkout id is remembered to drop
   * re-deliveries. Default 1 h. A re-delivery after that is processed as a late checkout: its
   * final row loses to the existing final row in the sink, and it is counted as late.
   */
  checkoutIdRetentionMs?: number;
}

/**
 * What the engine uses of a click: its key, time and id (the internal topics carry no more), and
 * an opaque tag the rows of checkouts attributed to it carry (its channel and campaign).
 */
export type AttributableClick = Pick<Click, 'clickId' | 'userId' | 'productId' | 'time'> & {
  tag?: string;
};

/** Facts about the message that carried an input; `messageTime` is its Kafka timestamp (ms). */
export interface EventMeta {
  messageTime?: number;
}

export interface CheckoutRow {
  checkoutId: string;
  userId: number;
  /** '' when the user is unknown. */
  userName: string;
  isUnknownUser: boolean;
  productId: string;
  paymentMethod: string;
  totalAmount: string;
  shippingAddress: string;
  billingAddress: string;
  userAgent: string;
  ipAddress: string;
  checkoutTime: number;
  clickId: string | null;
  clickTime: number | null;
  /** The attributed click's tag (click-origin.ts); null with no click. */
  clickTag: string | null;
  isFinal: boolean;
  /** The checkout was already behind the watermark when it arrived. */
  isLate: boolean;
  /** `messageTime` of the input that caused this version of the row, for latency metrics. */
  triggerMessageTime: number | null;
}

export interface PartitionCounters {
  /** Clicks retained (new ids at or above the horizon). */
  clicks: number;
  duplicateClicks: number;
  /** Clicks behind the watermark on arrival; still applied to pending checkouts. */
  lateClicks: number;
  /** Clicks older than watermark - 1 h on arrival: no on-time checkout can use them. */
  expiredClicks: number;
  evictedClicks: number;
  checkouts: number;
  duplicateCheckouts: number;
  /** Checkout ids already here under another user id: dead letters, not state. */
  conflictingCheckouts: number;
  /** Checkouts behind the watermark on arrival: attributed from what is retained, final. */
  lateCheckouts: number;
  /** Provisional rows rewritten because a click changed the answer. */
  correctedRows: number;
  finalAttributed: number;
  finalUnattributed: number;
}

/**
 * A checkout whose id this partition already has under another user id (two producers
 * disagreeing, or a forged message): never attributed into the state, it is a dead letter
 * (`conflicting_duplicate`, docs/design.md). `row` is what it would have written.
 */
export interface ConflictingCheckout {
  row: CheckoutRow;
  /** The user id of the copy that came first, which keeps the checkout id. */
  ownerUserId: number;
}

export interface PartitionOutput {
  rows: CheckoutRow[];
  conflicts: ConflictingCheckout[];
  /** Increments since the previous drain. */
  counters: PartitionCounters;
}

export interface PartitionStats {
  watermark: number;
  keys: number;
  clicks: number;
  stateBytes: number;
  pendingCheckouts: number;
  rememberedCheckoutIds: number;
}

export interface PendingCheckout {
  checkout: Checkout;
  userName: string;
  isUnknownUser: boolean;
  clickId: string | null;
  clickTime: number | null;
  /** The attributed click's tag; null with no click, '' for a click without one. */
  clickTag: string | null;
}

/** Everything a snapshot holds; see snapshot-codec.ts. */
export interface PartitionState {
  allowedLatenessMs: number;
  checkoutIdRetentionMs: number;
  watermark: number;
  sources: SourceState[];
  store: ClickStore;
  pending: PendingCheckout[];
  /** Finalized checkout ids still remembered, oldest first, with the watermark at finality. */
  finalizedIds: string[];
  finalizedAt: number[];
  /** Each one's user id; NaN when its snapshot predates them (version 5, delta version 4). */
  finalizedUsers: number[];
  counters: PartitionCounters;
}

export const zeroCounters = (): PartitionCounters => ({
  clicks: 0,
  duplicateClicks: 0,
  lateClicks: 0,
  expiredClicks: 0,
  evictedClicks: 0,
  checkouts: 0,
  duplicateCheckouts: 0,
  conflictingCheckouts: 0,
  lateCheckouts: 0,
  correctedRows: 0,
  finalAttributed: 0,
  finalUnattributed: 0,
});

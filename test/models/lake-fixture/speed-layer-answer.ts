// The speed layer's final rows for a generated stream, from the speed layer's own engine
// (AttributionPartition) in one pass with bounded memory: what commerce.attributed_checkouts holds
// once the stream is over, for lakes too large for the brute-force oracle (the benchmark's 10 M
// events, the sample lake). One source stands for the stream: its watermark follows the largest
// event time seen minus `settleMs`, so a stream that is never later than that is all on time.
import type { Checkout, Click } from '../../../lib/domain/events.ts';
import { AttributionPartition, type CheckoutRow } from '../../../lib/domain/partition-engine.ts';

const SOURCE = 'generated-stream';

export class SpeedLayerAnswer {
  private readonly engine: AttributionPartition;
  private maxEventTime = -Infinity;

  /** `userNameOf`: the user's name, or undefined for a user id commerce.users does not hold. */
  constructor(
    settleMs: number,
    private readonly userNameOf: (userId: number) => string | undefined,
  ) {
    this.engine = new AttributionPartition({
      allowedLatenessMs: settleMs,
      expectedSources: [SOURCE],
    });
  }

  addClick(click: Click): void {
    this.maxEventTime = Math.max(this.maxEventTime, click.time);
    this.engine.onClick(click);
  }

  addCheckout(checkout: Checkout): void {
    this.maxEventTime = Math.max(this.maxEventTime, checkout.time);
    this.engine.onCheckout(checkout, {}, this.userNameOf(checkout.userId));
  }

  /** Rows made final since the last call (no on-time event can change them any more). */
  settle(): CheckoutRow[] {
    this.engine.onMarker({ source: SOURCE, maxEventTime: this.maxEventTime, idle: false });
    return this.finalRows();
  }

  /** Every remaining checkout's final row: the end of the stream. */
  finish(): CheckoutRow[] {
    this.engine.onMarker({ source: SOURCE, maxEventTime: Infinity, idle: false });
    return this.finalRows();
  }

  private finalRows(): CheckoutRow[] {
    return this.engine.drain().rows.filter((row) => row.isFinal);
  }
}

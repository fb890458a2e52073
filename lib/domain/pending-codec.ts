// A pending checkout (a checkout not final yet, with the click it is attributed to so far) as
// bytes: one layout for the bases, which hold every pending checkout, and for the journal, which
// records each checkout as it starts pending.
import type { ByteReader, ByteWriter } from './binary-io.ts';
import type { Checkout } from './events.ts';
import type { PendingCheckout } from './partition-types.ts';

export function writePending(w: ByteWriter, p: PendingCheckout): void {
  const c = p.checkout;
  w.str(c.checkoutId);
  w.f64(c.userId);
  w.str(c.productId);
  w.str(c.paymentMethod);
  w.str(c.totalAmount);
  w.str(c.shippingAddress);
  w.str(c.billingAddress);
  w.str(c.userAgent);
  w.str(c.ipAddress);
  w.f64(c.time);
  w.str(p.userName);
  w.u8(p.isUnknownUser ? 1 : 0);
  w.nullableStr(p.clickId);
  w.f64(p.clickTime ?? NaN);
  w.nullableStr(p.clickTag);
}

/** `tagged`: written by a codec version that stores the click's tag (2 and later). */
export function readPending(r: ByteReader, tagged: boolean): PendingCheckout {
  const checkout: Checkout = {
    checkoutId: r.str(),
    userId: r.f64(),
    productId: r.str(),
    paymentMethod: r.str(),
    totalAmount: r.str(),
    shippingAddress: r.str(),
    billingAddress: r.str(),
    userAgent: r.str(),
    ipAddress: r.str(),
    time: r.f64(),
  };
  const userName = r.str();
  const isUnknownUser = r.u8() === 1;
  const clickId = r.nullableStr();
  const clickTime = r.f64();
  const clickTag = tagged ? r.nullableStr() : clickId === null ? null : '';
  return {
    checkout,
    userName,
    isUnknownUser,
    clickId,
    clickTime: clickId === null ? null : clickTime,
    clickTag,
  };
}

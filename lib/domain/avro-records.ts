// The Avro records of events, as our schemas (schemas/*.avsc) hold them: what a producer writing
// Avro sends, the counterpart of toClickWire / toCheckoutWire for JSON. Reading a record back
// through the Avro gate gives the event back. Pure.
import type { Checkout, Click } from './events.ts';
import type { CheckoutV1Record, ClickV1Record, ClickV2Record } from './wire-records.generated.ts';

/** The click as schema v1 holds it (no session_id). */
export function toClickV1Record(click: Click): ClickV1Record {
  return {
    click_id: click.clickId,
    user_id: BigInt(click.userId),
    product_id: click.productId,
    product: click.product,
    price: click.price,
    url: click.url,
    user_agent: click.userAgent,
    ip_address: click.ipAddress,
    datetime_occured: BigInt(click.time),
  };
}

/** The click as schema v2 holds it: session_id null when the click has none. */
export function toClickV2Record(click: Click): ClickV2Record {
  return { ...toClickV1Record(click), session_id: click.sessionId ?? null };
}

/** The checkout as schema v1 holds it; the amount's decimal text is exact (scale 2). */
export function toCheckoutV1Record(checkout: Checkout): CheckoutV1Record {
  const [whole = '0', cents = ''] = checkout.totalAmount.split('.');
  const unscaled = BigInt(whole + cents.padEnd(2, '0').slice(0, 2));
  return {
    checkout_id: checkout.checkoutId,
    user_id: BigInt(checkout.userId),
    product_id: checkout.productId,
    payment_method: checkout.paymentMethod,
    total_amount: { unscaled, scale: 2 },
    shipping_address: checkout.shippingAddress,
    billing_address: checkout.billingAddress,
    user_agent: checkout.userAgent,
    ip_address: checkout.ipAddress,
    datetime_occured: BigInt(checkout.time),
  };
}

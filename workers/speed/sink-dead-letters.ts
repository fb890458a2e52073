// Rows the sink could not write (sink.ts: a conflicting duplicate, or content the database
// refuses) become dead letters like malformed source messages, so nothing is dropped silently.
// They have no source offset of their own: the topic is the sink table, the partition the
// internal partition that produced the row, and the offset a stable 63-bit hash of
// (checkout_id, user_id), so a replay of the same row adds nothing.
import { createHash } from 'node:crypto';
import { toCheckoutWire } from '../../lib/domain/events.ts';
import type { DeadLetter } from './dead-letters.ts';
import type { RefusedRow } from './sink.ts';

export const SINK_DEAD_LETTER_TOPIC = 'commerce.attributed_checkouts';

function rowKey(checkoutId: string, userId: number): string {
  const digest = createHash('sha256').update(`${checkoutId}\u0000${userId}`).digest();
  return (digest.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn).toString();
}

export function sinkDeadLetter({ row, kind, reason }: RefusedRow): DeadLetter {
  const wire = toCheckoutWire({
    checkoutId: row.checkoutId,
    userId: row.userId,
    productId: row.productId,
    paymentMethod: row.paymentMethod,
    totalAmount: row.totalAmount,
    shippingAddress: row.shippingAddress,
    billingAddress: row.billingAddress,
    userAgent: row.userAgent,
    ipAddress: row.ipAddress,
    time: row.checkoutTime,
  });
  // The amount travels as exact text: a double could not hold every DECIMAL(38,2).
  const raw = Buffer.from(JSON.stringify({ ...wire, total_amount: row.totalAmount }));
  return {
    topic: SINK_DEAD_LETTER_TOPIC,
    partition: row.partition,
    offset: rowKey(row.checkoutId, row.userId),
    raw,
    reason,
    kind,
  };
}

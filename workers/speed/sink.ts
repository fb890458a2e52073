// Writes attributed checkout rows in bulk: one INSERT … SELECT FROM unnest(…)
// per flush, never a round trip per row. A row that is final in the table is
// never overwritten (the WHERE on the conflict update), which is what makes
// replays after a crash or a rebalance harmless.
import type pg from 'pg';
import type { CheckoutRow as DomainCheckoutRow } from '../../lib/domain/partition-types.ts';

/** A domain row as written: the engine's row plus the partition that produced it. */
export type CheckoutRow = Omit<DomainCheckoutRow, 'triggerMessageTime'> & { partition: number };

const UPSERT_SQL = `
INSERT INTO commerce.attributed_checkouts AS a (
  checkout_id, user_id, user_name, click_id, product_id, payment_method, total_amount,
  shipping_address, billing_address, user_agent, ip_address, checkout_time, click_time,
  is_final, is_unknown_user, is_late, partition, processed_at, first_written_at)
SELECT t.checkout_id, t.user_id, t.user_name, t.click_id, t.product_id, t.payment_method,
       t.total_amount, t.shipping_address, t.billing_address, t.user_agent, t.ip_address,
       t.checkout_time, t.click_time, t.is_final, t.is_unknown_user, t.is_late, t.partition,
       now(), now()
FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::numeric[], $8::text[], $9::text[], $10::text[], $11::text[],
            $12::timestamptz[], $13::timestamptz[], $14::boolean[], $15::boolean[],
            $16::boolean[], $17::int[])
  AS t(checkout_id, user_id, user_name, click_id, product_id, payment_method, total_amount,
       shipping_address, billing_address, user_agent, ip_address, checkout_time, click_time,
       is_final, is_unknown_user, is_late, partition)
ON CONFLICT (checkout_id) DO UPDATE SET
  user_id = EXCLUDED.user_id, user_name = EXCLUDED.user_name, click_id = EXCLUDED.click_id,
  product_id = EXCLUDED.product_id, payment_method = EXCLUDED.payment_method,
  total_amount = EXCLUDED.total_amount, shipping_address = EXCLUDED.shipping_address,
  billing_address = EXCLUDED.billing_address, user_agent = EXCLUDED.user_agent,
  ip_address = EXCLUDED.ip_address, checkout_time = EXCLUDED.checkout_time,
  click_time = EXCLUDED.click_time, is_final = EXCLUDED.is_final,
  is_unknown_user = EXCLUDED.is_unknown_user, is_late = EXCLUDED.is_late,
  partition = EXCLUDED.partition, processed_at = now()
WHERE NOT a.is_final`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Upserts rows (the last row per checkout id wins) through the given client; returns rows sent. */
export async function upsertCheckoutRows(
  client: pg.ClientBase,
  rows: Iterable<CheckoutRow>,
): Promise<number> {
  const columns: unknown[][] = Array.from({ length: 17 }, () => []);
  // One statement cannot update a row twice: keep the last row per checkout id.
  const latest = new Map<string, CheckoutRow>();
  for (const r of rows) latest.set(r.checkoutId, r);
  let count = 0;
  for (const r of latest.values()) {
    const values = [
      r.checkoutId,
      r.userId,
      r.userName,
      r.clickId,
      r.productId,
      r.paymentMethod,
      r.totalAmount,
      r.shippingAddress,
      r.billingAddress,
      r.userAgent,
      r.ipAddress,
      iso(r.checkoutTime),
      iso(r.clickTime),
      r.isFinal,
      r.isUnknownUser,
      r.isLate,
      r.partition,
    ];
    for (let i = 0; i < values.length; i++) columns[i]!.push(values[i]);
    count++;
  }
  if (count > 0) await client.query(UPSERT_SQL, columns);
  return count;
}

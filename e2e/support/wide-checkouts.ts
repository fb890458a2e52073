// Checkout rows with the widest content a row of the checkout table can hold (a long user name,
// a product with a long name, a UUID click id, and every badge: provisional, late, unknown
// user), written straight into the e2e sink as the owner and dated a minute ahead, so they head
// the first page. Removed again afterwards.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../lib/config.ts';
import { e2eDatabaseUrl } from './e2e-stack.ts';

const LONG_PRODUCT_ID = 987_654_321;

async function withOwner<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl(loadConfig().DATABASE_URL) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function insertWideCheckouts(count = 3): Promise<string[]> {
  const tag = `wide-${randomBytes(4).toString('hex')}`;
  const ids = Array.from({ length: count }, (_, i) => `${tag}-${randomUUID()}-${i}`);
  await withOwner(async (client) => {
    await client.query(
      `INSERT INTO commerce.products (id, name, description, price)
       VALUES ($1, 'Extra-long ergonomic adjustable standing desk converter with cable tray', '', 499.99)
       ON CONFLICT (id) DO NOTHING`,
      [LONG_PRODUCT_ID],
    );
    for (const [i, id] of ids.entries()) {
      await client.query(
        `INSERT INTO commerce.attributed_checkouts (checkout_id, user_id, user_name, click_id,
           product_id, payment_method, total_amount, shipping_address, billing_address,
           user_agent, ip_address, checkout_time, click_time, is_final, is_unknown_user, is_late,
           partition, processed_at, first_written_at)
         VALUES ($1, 9007199254740991, 'Maximilian Alexander Featherstonehaugh-Worthington', $2,
                 $3, 'card', 123456.78, 's', 'b', 'ua', '192.0.2.9',
                 now() + interval '1 minute' - $4 * interval '1 ms',
                 now() + interval '1 minute' - interval '59 minutes', false, true, true, 1,
                 now(), now())`,
        [id, randomUUID(), String(LONG_PRODUCT_ID), i],
      );
    }
  });
  return ids;
}

export async function deleteWideCheckouts(ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await withOwner(async (client) => {
    await client.query('DELETE FROM commerce.attributed_checkouts WHERE checkout_id = ANY($1)', [
      ids,
    ]);
    await client.query('DELETE FROM commerce.products WHERE id = $1', [LONG_PRODUCT_ID]);
  });
}

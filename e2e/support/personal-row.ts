// One checkout with recognisable personal data, written straight into the e2e sink (as the
// database owner), so the security tests can look for each personal field on every path that
// could leak it. Removed again afterwards, so the batch specs' reconciliation never sees it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../lib/config.ts';
import { e2eDatabaseUrl } from './e2e-stack.ts';

export const PERSONAL = {
  userId: '987654321',
  userName: 'Priya Private',
  shippingAddress: '221B Secret Street, Springfield',
  billingAddress: '1 Billing Way, Shelbyville',
  userAgent: 'SecretAgent/7.0 (Hidden OS)',
  ipAddress: '203.0.113.77',
} as const;

async function withOwner<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl(loadConfig().DATABASE_URL) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Writes the row, attributed and final, dated now: it heads the live feed. Returns its id. */
export async function insertPersonalCheckout(): Promise<string> {
  const checkoutId = `sec-${randomBytes(6).toString('hex')}`;
  await withOwner((client) =>
    client.query(
      `INSERT INTO commerce.attributed_checkouts (checkout_id, user_id, user_name, click_id,
         product_id, payment_method, total_amount, shipping_address, billing_address, user_agent,
         ip_address, checkout_time, click_time, is_final, is_unknown_user, is_late, partition,
         processed_at, first_written_at)
       VALUES ($1, $2, $3, $4, '1', 'card', 42.50, $5, $6, $7, $8, now() + interval '1 hour',
               now() + interval '59 minutes', true, false, false, 0, now(), now())`,
      [
        checkoutId,
        PERSONAL.userId,
        PERSONAL.userName,
        `${checkoutId}-click`,
        PERSONAL.shippingAddress,
        PERSONAL.billingAddress,
        PERSONAL.userAgent,
        PERSONAL.ipAddress,
      ],
    ),
  );
  return checkoutId;
}

export async function deletePersonalCheckout(checkoutId: string): Promise<void> {
  await withOwner((client) =>
    client.query('DELETE FROM commerce.attributed_checkouts WHERE checkout_id = $1', [checkoutId]),
  );
}

/** Which of the personal values appear in `text`. */
export function personalIn(text: string): string[] {
  return Object.entries(PERSONAL)
    .filter(([, value]) => text.includes(value))
    .map(([key]) => key);
}

// The sink's statement against a real database: every value round-trips exactly through the one
// JSON parameter (text with quotes, backslashes, escapes and any Unicode; amounts beyond a
// double's precision; nulls; booleans; millisecond times at the range's ends), a final row is
// never overwritten, a copy under another user id is a conflicting duplicate, and a row the
// database refuses is found by halving and refused alone.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createPrisma, type PrismaClient } from '../../lib/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
import { parseOriginTag } from '../../lib/domain/click-origin.ts';
import { writeCheckoutRows, type CheckoutRow } from './sink.ts';

let database: TestDatabase;
let db: PrismaClient;

beforeAll(async () => {
  database = await createTestDatabase(loadConfig().DATABASE_URL);
  db = createPrisma(database.url);
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

beforeEach(async () => {
  await db.$executeRaw`DELETE FROM commerce.attributed_checkouts`;
});

const row = (overrides: Partial<CheckoutRow> = {}): CheckoutRow => ({
  checkoutId: 'c1',
  userId: 7,
  userName: 'ann',
  isUnknownUser: false,
  productId: 'p1',
  paymentMethod: 'card',
  totalAmount: '10.50',
  shippingAddress: '1 Main St',
  billingAddress: '1 Main St',
  userAgent: 'agent',
  ipAddress: '10.0.0.1',
  checkoutTime: Date.UTC(2026, 10, 30, 12, 0, 0, 123),
  clickId: 'k1',
  clickTime: Date.UTC(2026, 10, 30, 11, 59, 0, 1),
  clickTag: 'paid_search\u0001spring "sale" \\ 😀',
  isFinal: false,
  isLate: false,
  partition: 3,
  ...overrides,
});

interface StoredRow {
  checkout_id: string;
  user_id: string;
  user_name: string;
  click_id: string | null;
  product_id: string;
  payment_method: string;
  total_amount: string;
  shipping_address: string;
  billing_address: string;
  user_agent: string;
  ip_address: string;
  checkout_ms: string;
  click_ms: string | null;
  is_final: boolean;
  is_unknown_user: boolean;
  is_late: boolean;
  partition: number;
  click_channel: string | null;
  click_campaign: string | null;
}

const stored = () =>
  db.$queryRaw<StoredRow[]>`
    SELECT checkout_id, user_id::text, user_name, click_id, product_id, payment_method,
           total_amount::text, shipping_address, billing_address, user_agent, ip_address,
           (extract(epoch FROM checkout_time) * 1000)::bigint::text AS checkout_ms,
           (extract(epoch FROM click_time) * 1000)::bigint::text AS click_ms,
           is_final, is_unknown_user, is_late, partition, click_channel, click_campaign
      FROM commerce.attributed_checkouts ORDER BY checkout_id`;

const asStored = (r: CheckoutRow): StoredRow => ({
  checkout_id: r.checkoutId,
  user_id: String(r.userId),
  user_name: r.userName,
  click_id: r.clickId,
  product_id: r.productId,
  payment_method: r.paymentMethod,
  total_amount: r.totalAmount,
  shipping_address: r.shippingAddress,
  billing_address: r.billingAddress,
  user_agent: r.userAgent,
  ip_address: r.ipAddress,
  checkout_ms: String(r.checkoutTime),
  click_ms: r.clickTime === null ? null : String(r.clickTime),
  is_final: r.isFinal,
  is_unknown_user: r.isUnknownUser,
  is_late: r.isLate,
  partition: r.partition,
  click_channel: parseOriginTag(r.clickTag).channel,
  click_campaign: parseOriginTag(r.clickTag).campaign,
});

describe('sink', () => {
  it('stores every value exactly as given', async () => {
    const tricky = `"quoted" 'single' back\\slash \\u0000 \\" \n\t\r \u0001\u001f \u2028\u2029 é中😀 \ufeff`;
    const rows = [
      row({ checkoutId: 'a', userName: tricky, userAgent: tricky, shippingAddress: '' }),
      row({
        checkoutId: `b ${tricky}`,
        userId: 2 ** 31 + 5,
        userName: '',
        isUnknownUser: true,
        totalAmount: '123456789012345678901234567890123456.78',
        clickId: null,
        clickTime: null,
        clickTag: null,
        isFinal: true,
        isLate: true,
        partition: 0,
      }),
      row({
        checkoutId: 'c',
        totalAmount: '-0.10',
        checkoutTime: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
        clickTime: 0,
        clickId: 'null',
        billingAddress: 'null',
        clickTag: `email\u0001${tricky}`,
      }),
    ];
    const result = await writeCheckoutRows(db, rows);
    expect(result).toEqual({ sent: 3, refused: [] });
    expect(await stored()).toEqual(
      rows.map(asStored).sort((x, y) => (x.checkout_id < y.checkout_id ? -1 : 1)),
    );
  });

  it('updates a provisional row for its owner and never a final one', async () => {
    await writeCheckoutRows(db, [row({ totalAmount: '1.00' })]);
    await writeCheckoutRows(db, [row({ totalAmount: '2.00', isFinal: true })]);
    const replay = await writeCheckoutRows(db, [row({ totalAmount: '3.00', isFinal: false })]);
    expect(replay.refused).toEqual([]);
    expect(await stored()).toEqual([asStored(row({ totalAmount: '2.00', isFinal: true }))]);
  });

  it('keeps the first owner and hands back a copy under another user id', async () => {
    const result = await writeCheckoutRows(db, [
      row({ checkoutId: 'x', userId: 1 }),
      row({ checkoutId: 'x', userId: 2 }),
      row({ checkoutId: 'y', userId: 1 }),
    ]);
    expect(result.sent).toBe(3);
    expect(result.refused.map((r) => [r.kind, r.row.checkoutId, r.row.userId])).toEqual([
      ['conflicting_duplicate', 'x', 2],
    ]);
    const later = await writeCheckoutRows(db, [row({ checkoutId: 'y', userId: 3 })]);
    expect(later.refused.map((r) => r.reason)).toEqual([
      'conflicting_duplicate: checkout_id "y" is already written for user_id 1; this copy has user_id 3',
    ]);
    expect((await stored()).map((r) => [r.checkout_id, r.user_id])).toEqual([
      ['x', '1'],
      ['y', '1'],
    ]);
  });

  it('refuses only the rows the database refuses, found by halving', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => row({ checkoutId: `r${i}` }));
    rows[2] = row({ checkoutId: 'r2', totalAmount: 'twelve' });
    rows[7] = row({ checkoutId: 'r7', userAgent: 'a\u0000b' });
    const result = await writeCheckoutRows(db, rows);
    expect(result.sent).toBe(9);
    expect(result.refused.map((r) => [r.kind, r.row.checkoutId])).toEqual([
      ['sink_refused', 'r2'],
      ['sink_refused', 'r7'],
    ]);
    expect(result.refused[0]!.reason).toMatch(/^sink_refused: .*numeric/);
    expect((await stored()).map((r) => r.checkout_id)).toEqual([
      'r0',
      'r1',
      'r3',
      'r4',
      'r5',
      'r6',
      'r8',
    ]);
  });
});

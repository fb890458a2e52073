// The sink's rewrites of a checkout's row (provisional, maybe corrected, then final) are HOT
// updates: PostgreSQL writes no index entry for them, because no indexed column of the table
// changes for a checkout (migration 20261204000000_sink_hot_updates dropped the is_final, click_id
// and click_channel indexes) and its pages keep room for the new versions (fillfactor 85).
// Counted in the writing transaction (pg_stat_get_xact_*), which reports exactly and at once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createPrisma, type Db, type PrismaClient } from '../../lib/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
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
  // Empty pages, so where each row lands is the same every run.
  await db.$executeRaw`TRUNCATE commerce.attributed_checkouts`;
});

/** A row about the size of a real one (its addresses and user agent), provisional. */
const row = (checkoutId: string, overrides: Partial<CheckoutRow> = {}): CheckoutRow => ({
  checkoutId,
  userId: 4242,
  userName: 'user_4242',
  isUnknownUser: false,
  productId: '17',
  paymentMethod: 'credit_card',
  totalAmount: '129.99',
  shippingAddress: '1234 Elm Street, Apartment 5B, Springfield, IL 62704',
  billingAddress: '1234 Elm Street, Apartment 5B, Springfield, IL 62704',
  userAgent:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  ipAddress: '203.0.113.77',
  checkoutTime: Date.UTC(2026, 10, 30, 12, 0, 0, 123),
  clickId: 'clk-000001',
  clickTime: Date.UTC(2026, 10, 30, 11, 59, 0, 1),
  clickTag: 'paid_search\u0001spring',
  isFinal: false,
  isLate: false,
  partition: 3,
  ...overrides,
});

interface RowVersions {
  updated: number;
  hot: number;
}

const versions = async (tx: Db): Promise<RowVersions> => {
  const [counts] = await tx.$queryRaw<{ updated: bigint; hot: bigint }[]>`
    SELECT pg_stat_get_xact_tuples_updated('commerce.attributed_checkouts'::regclass) AS updated,
           pg_stat_get_xact_tuples_hot_updated('commerce.attributed_checkouts'::regclass) AS hot`;
  return { updated: Number(counts!.updated), hot: Number(counts!.hot) };
};

/**
 * Writes the rows in one transaction and returns the row versions it made in the sink table: the
 * difference of the backend's pending counters across the write (on PostgreSQL 15 they also hold
 * earlier transactions' counts not yet reported; nothing is reported inside a transaction).
 */
async function writeCounting(rows: CheckoutRow[]): Promise<RowVersions> {
  return db.$transaction(async (tx: Db) => {
    const before = await versions(tx);
    const result = await writeCheckoutRows(tx, rows);
    expect(result.refused).toEqual([]);
    const after = await versions(tx);
    return { updated: after.updated - before.updated, hot: after.hot - before.hot };
  });
}

describe('the sink rewriting a row', () => {
  it('makes the final row of an unchanged attribution a HOT update', async () => {
    await writeCheckoutRows(db, [row('c1')]);
    expect(await writeCounting([row('c1', { isFinal: true })])).toEqual({ updated: 1, hot: 1 });
  });

  it('makes a correction to a click of another channel, and then the final row, HOT updates', async () => {
    await writeCheckoutRows(db, [row('c1', { clickId: null, clickTime: null, clickTag: null })]);
    const corrected = { clickId: 'clk-000002', clickTag: 'email\u0001newsletter' };
    expect(await writeCounting([row('c1', corrected)])).toEqual({ updated: 1, hot: 1 });
    expect(await writeCounting([row('c1', { ...corrected, isFinal: true })])).toEqual({
      updated: 1,
      hot: 1,
    });
  });

  it('finds room on full pages for the final rows of a tenth of their checkouts', async () => {
    // ~20 rows of this size fill a page to the fillfactor: 15 pages, ~2 final rows per page.
    const ids = Array.from({ length: 300 }, (_, i) => `c${String(i).padStart(4, '0')}`);
    await writeCheckoutRows(
      db,
      ids.map((id) => row(id)),
    );
    const finals = ids.filter((_, i) => i % 10 === 0).map((id) => row(id, { isFinal: true }));
    expect(await writeCounting(finals)).toEqual({ updated: finals.length, hot: finals.length });
  });
});

// The web app's SQL against a real PostgreSQL (a fresh test database): keyset pages never skip or
// repeat a row in either direction or sort order, filters agree with a plain in-memory filter,
// the dashboard's aggregates agree with sums computed here, and dead-letter search matches bytes.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createPgPool, createPrisma, type PrismaClient } from '../db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
import { getCheckout, listCheckouts, type CheckoutListRow } from './checkout-queries.ts';
import { listDeadLetters } from './dead-letter-queries.ts';
import { checkoutQuerySchema, deadLetterQuerySchema, type CheckoutQuery } from './schemas.ts';
import { DELAY_BINS, newestAttributed, windowAggregates } from './sink-queries.ts';

interface Row {
  id: string;
  user: number;
  product: string;
  amount: number;
  time: number;
  clickId: string | null;
  clickTime: number | null;
  final: boolean;
}

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
let db: TestDatabase;
let pool: pg.Pool;
/** The queries' client, on the same pool (as in the web process). */
let prisma: PrismaClient;
const rows: Row[] = [];

function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

beforeAll(async () => {
  db = await createTestDatabase(loadConfig().DATABASE_URL);
  pool = createPgPool(db.url, { max: 3 });
  prisma = createPrisma(db.url, { pool });
  const r = random(42);
  for (let i = 0; i < 240; i++) {
    // Times on a coarse grid, so many rows share a checkout_time and the id must break ties.
    const time = NOW - Math.floor(r() * 120) * 30_000;
    const attributed = r() < 0.7;
    const delay = Math.floor(r() * 3_000_000);
    rows.push({
      id: `chk-${String(i).padStart(4, '0')}-${Math.floor(r() * 1e6)}`,
      user: 1 + Math.floor(r() * 6),
      product: String(Math.floor(r() * 5)),
      amount: Math.round(r() * 50_000) / 100,
      time,
      clickId: attributed ? `clk-${i}` : null,
      clickTime: attributed ? time - delay : null,
      final: r() < 0.8,
    });
  }
  await pool.query(
    `INSERT INTO commerce.users (id, username) SELECT g, 'user_' || g FROM generate_series(1, 5) g`,
  );
  await pool.query(
    `INSERT INTO commerce.products (id, name, price) SELECT g, 'Product ' || g, 10 FROM generate_series(0, 4) g`,
  );
  await pool.query(
    `INSERT INTO commerce.attributed_checkouts (checkout_id, user_id, user_name, click_id, product_id,
       payment_method, total_amount, shipping_address, billing_address, user_agent, ip_address,
       checkout_time, click_time, is_final, is_unknown_user, is_late, partition, processed_at,
       first_written_at)
     SELECT t.id, t.usr, 'user_' || t.usr, t.click, t.product, 'card', t.amount, 'a', 'b', 'ua',
            '10.0.0.1', t.at, t.click_at, t.final, t.usr > 5, false, 0, now(), now()
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::numeric[],
                   $6::timestamptz[], $7::timestamptz[], $8::boolean[])
         AS t(id, usr, click, product, amount, at, click_at, final)`,
    [
      rows.map((x) => x.id),
      rows.map((x) => x.user),
      rows.map((x) => x.clickId),
      rows.map((x) => x.product),
      rows.map((x) => x.amount),
      rows.map((x) => new Date(x.time).toISOString()),
      rows.map((x) => (x.clickTime === null ? null : new Date(x.clickTime).toISOString())),
      rows.map((x) => x.final),
    ],
  );
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

const query = (q: Record<string, string>): CheckoutQuery => checkoutQuerySchema.parse(q);

function expected(filter: (r: Row) => boolean, sort: 'asc' | 'desc'): string[] {
  const sorted = rows
    .filter(filter)
    .sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return (sort === 'asc' ? sorted : sorted.reverse()).map((r) => r.id);
}

async function walk(
  base: Record<string, string>,
): Promise<{ forward: string[][]; back: string[][] }> {
  const forward: string[][] = [];
  let page = await listCheckouts(prisma, query(base));
  expect(page.prevCursor).toBeNull();
  forward.push(page.rows.map((r: CheckoutListRow) => r.checkoutId));
  while (page.nextCursor) {
    page = await listCheckouts(prisma, query({ ...base, after: page.nextCursor }));
    forward.push(page.rows.map((r) => r.checkoutId));
    expect(forward.length).toBeLessThan(100);
  }
  // And back again from the last page with `before` cursors.
  const back: string[][] = [forward.at(-1)!];
  let cursor = page.prevCursor;
  while (cursor) {
    page = await listCheckouts(prisma, query({ ...base, before: cursor }));
    back.unshift(page.rows.map((r) => r.checkoutId));
    cursor = page.prevCursor;
  }
  return { forward, back };
}

describe('checkout pages', () => {
  it.each(['desc', 'asc'] as const)('walk every row once, forwards and back (%s)', async (sort) => {
    const { forward, back } = await walk({ sort, limit: '7' });
    expect(forward.flat()).toEqual(expected(() => true, sort));
    expect(forward.slice(0, -1).every((p) => p.length === 7)).toBe(true);
    expect(back).toEqual(forward);
  });

  it.each([
    [{ attributed: 'yes' }, (r: Row) => r.clickId !== null],
    [{ attributed: 'no' }, (r: Row) => r.clickId === null],
    [{ state: 'final' }, (r: Row) => r.final],
    [{ state: 'provisional' }, (r: Row) => !r.final],
    [{ user: '3' }, (r: Row) => r.user === 3],
    [{ user: 'USER_4' }, (r: Row) => r.user === 4],
    [{ user: 'nobody' }, () => false],
    [{ product: '2', attributed: 'yes' }, (r: Row) => r.product === '2' && r.clickId !== null],
    [
      { from: new Date(NOW - 1_800_000).toISOString(), to: new Date(NOW - 600_000).toISOString() },
      (r: Row) => r.time >= NOW - 1_800_000 && r.time <= NOW - 600_000,
    ],
  ] as [Record<string, string>, (r: Row) => boolean][])('filter %j', async (filter, keep) => {
    const { forward, back } = await walk({ ...filter, limit: '9' });
    expect(forward.flat()).toEqual(expected(keep, 'desc'));
    expect(back).toEqual(forward);
  });

  it('reads one checkout with its current user and product', async () => {
    const row = rows.find((r) => r.user <= 5 && r.clickId !== null)!;
    await pool.query(`UPDATE commerce.users SET username = 'renamed' WHERE id = $1`, [row.user]);
    const detail = await getCheckout(prisma, row.id);
    expect(detail?.checkout).toMatchObject({
      checkoutId: row.id,
      userId: String(row.user),
      userName: `user_${row.user}`,
      clickId: row.clickId,
      clickTime: new Date(row.clickTime!).toISOString(),
      productName: `Product ${row.product}`,
    });
    expect(detail?.user?.username).toBe('renamed');
    expect(await getCheckout(prisma, 'no-such-checkout')).toBeNull();
    await pool.query(`UPDATE commerce.users SET username = 'user_' || id WHERE id = $1`, [
      row.user,
    ]);
  });
});

describe('dashboard aggregates', () => {
  it('agree with sums over the last hour, and the feed is the newest attributed rows', async () => {
    const inWindow = rows.filter((r) => r.time >= NOW - 3_600_000);
    const attributed = inWindow.filter((r) => r.clickId !== null);
    const agg = await windowAggregates(prisma, NOW);
    expect(agg.window.rows).toBe(inWindow.length);
    expect(agg.window.attributed).toBe(attributed.length);
    expect(agg.window.final).toBe(inWindow.filter((r) => r.final).length);
    expect(agg.window.attributedRevenue).toBeCloseTo(
      attributed.reduce((n, r) => n + r.amount, 0),
      2,
    );
    expect(agg.window.capped).toBe(false);

    const bins = DELAY_BINS.map(() => 0);
    for (const r of attributed) {
      const seconds = (r.time - r.clickTime!) / 1000;
      let i = DELAY_BINS.length - 1;
      while (i > 0 && seconds < DELAY_BINS[i]!.fromSec) i--;
      bins[i]!++;
    }
    expect(agg.histogram.map((b) => b.count)).toEqual(bins);

    const revenue = new Map<string, number>();
    for (const r of attributed) revenue.set(r.product, (revenue.get(r.product) ?? 0) + r.amount);
    const top = [...revenue.entries()].sort((a, b) => b[1] - a[1])[0]!;
    expect(agg.topProducts[0]).toMatchObject({ productId: top[0], name: `Product ${top[0]}` });
    expect(agg.topProducts[0]?.revenue).toBeCloseTo(top[1], 2);

    const feed = await newestAttributed(prisma, 5);
    expect(feed.map((f) => f.checkoutId)).toEqual(
      expected((r) => r.clickId !== null, 'desc').slice(0, 5),
    );
  });
});

describe('dead letters', () => {
  beforeAll(async () => {
    const payloads = [
      Buffer.from('{"click_id": "x", "user_id": "abc"}'),
      Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x43]), // not UTF-8
      Buffer.from('100% broken_json'),
      Buffer.from('x'.repeat(5_000)),
    ];
    await pool.query(
      `INSERT INTO commerce.dead_letters (topic, partition, "offset", raw, reason)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bytea[], $5::text[])`,
      [
        ['clicks', 'clicks', 'checkouts', 'clicks'],
        [0, 1, 0, 2],
        [1, 2, 3, 4],
        payloads,
        [
          'wrong_type: user_id',
          'invalid_json: bad bytes',
          'invalid_json: percent',
          'invalid_json: big',
        ],
      ],
    );
  });

  it('pages newest first and finds by reason, payload bytes and topic', async () => {
    const letters = (q: Record<string, string>) =>
      listDeadLetters(prisma, deadLetterQuerySchema.parse(q));
    const all = await letters({ limit: '3' });
    expect(all.rows).toHaveLength(3);
    expect(all.total).toEqual({ count: 4, capped: false });
    expect(all.topics).toEqual(['checkouts', 'clicks']);
    const rest = await letters({ limit: '3', before: all.nextBefore! });
    expect(rest.rows.map((r) => r.offset)).toEqual(['1']);
    expect(rest.nextBefore).toBeNull();

    const big = all.rows.find((r) => r.offset === '4')!;
    expect(big.truncated).toBe(true);
    expect(big.sizeBytes).toBe(5_000);
    expect(big.preview.length).toBe(2_048);

    const search = async (q: string, topic?: string) =>
      (await letters({ q, ...(topic ? { topic } : {}) })).rows.map((r) => r.offset);
    expect(await search('WRONG_TYPE')).toEqual(['1']);
    expect(await search('"abc"')).toEqual(['1']);
    expect(await search('ABC')).toEqual(['2']); // bytes after invalid UTF-8
    expect(await search('100%')).toEqual(['3']); // % is literal
    expect(await search('wrong%type')).toEqual([]); // a wildcard % would match wrong_type
    expect(await search('wrong_type')).toEqual(['1']);
    expect(await search('invalid_json', 'clicks')).toEqual(['4', '2']);
  });

  it('searches through the trigram indexes, exactly, and refuses unbounded input', async () => {
    // A byte 0x01 is `\001` in the indexed text: "123" there must not match "\00123".
    await pool.query(
      `INSERT INTO commerce.dead_letters (topic, partition, "offset", raw, reason)
       VALUES ('checkouts', 9, 9, $1, 'invalid_json: control byte')`,
      [Buffer.from([0x01, 0x32, 0x33])],
    );
    const letters = (q: Record<string, string>) =>
      listDeadLetters(prisma, deadLetterQuerySchema.parse(q));
    expect((await letters({ q: '123' })).rows).toEqual([]);
    expect((await letters({ q: 'control byte' })).rows.map((r) => r.offset)).toEqual(['9']);

    const client = await pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM commerce.dead_letters d
          WHERE d.reason ILIKE '%needle%'
             OR encode(substring(d.raw FROM 1 FOR 4096), 'escape') LIKE '%needle%'`,
      );
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toContain('dead_letters_reason_trgm_idx');
      expect(text).toContain('dead_letters_raw_trgm_idx');
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }

    for (const bad of [{ q: 'ab' }, { before: '9999999999999999999' }, { q: 'x'.repeat(201) }]) {
      expect(deadLetterQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(deadLetterQuerySchema.safeParse({ before: '9223372036854775807' }).success).toBe(true);
  });
});

// The attribution reads against a real PostgreSQL (a fresh test database with every migration):
// the mart summed per model and channel within a day range in exact cents, unattributed revenue
// kept apart, the newest successful models run as "last built at", one checkout's credits by
// click with no user id in the answer, and the live revenue by channel over the dashboard's
// window (an hour), null channels included.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createPgPool, createPrisma, type PrismaClient } from '../db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
import {
  attributionReport,
  checkoutCredits,
  lastModelsBuild,
  liveRevenueByChannel,
} from './attribution-queries.ts';
import { ATTRIBUTION_MODELS } from './attribution-report.ts';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase(loadConfig().DATABASE_URL);
  pool = createPgPool(db.url, { max: 3 });
  prisma = createPrisma(db.url, { pool });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

async function insertMart(
  rows: [
    model: string,
    day: string,
    channel: string,
    campaign: string | null,
    amount: string,
    checkouts: number,
  ][],
): Promise<void> {
  for (const [model, day, channel, campaign, amount, checkouts] of rows) {
    await pool.query(
      `INSERT INTO commerce.attribution_by_channel (model, checkout_date, channel, campaign,
         credited_amount, conversions, checkouts, clicks)
       VALUES ($1, $2, $3, $4, $5, $6::int, $6::int, $6::int)`,
      [model, day, channel, campaign, amount, checkouts],
    );
  }
}

describe('lastModelsBuild', () => {
  it('is null before any run, then the newest succeeded run that published, whatever follows', async () => {
    expect(await lastModelsBuild(prisma)).toBeNull();
    const published = JSON.stringify({ attribution: { credits: 1, byChannel: 1 } });
    await pool.query(
      `INSERT INTO commerce.job_runs (kind, status, started_at, finished_at, result) VALUES
         ('models', 'succeeded', '2026-11-24T09:00:00Z', '2026-11-24T09:01:00Z', $1),
         ('models', 'succeeded', '2026-11-24T10:00:00Z', '2026-11-24T10:01:30.5Z', $1),
         ('models', 'failed', '2026-11-24T11:00:00Z', '2026-11-24T11:02:00Z', $1),
         ('lake_export', 'succeeded', '2026-11-24T11:30:00Z', '2026-11-24T11:31:00Z', $1),
         ('models', 'running', '2026-11-24T11:40:00Z', NULL, NULL),
         -- Succeeded without publishing (another target; or before issue 14).
         ('models', 'succeeded', '2026-11-24T11:50:00Z', '2026-11-24T11:51:00Z',
          '{"attribution": null}'),
         ('models', 'succeeded', '2026-11-24T11:52:00Z', '2026-11-24T11:53:00Z', '{}')`,
      [published],
    );
    expect(await lastModelsBuild(prisma)).toBe('2026-11-24T10:01:30.500Z');
  });
});

describe('attributionReport', () => {
  beforeAll(async () => {
    const rows: Parameters<typeof insertMart>[0] = [];
    for (const { key } of ATTRIBUTION_MODELS) {
      // Day 1: email takes 0.10 + 0.20 over two campaigns (not 0.30000000000000004), search 5.
      rows.push([key, '2026-11-23', 'email', 'a', '0.10', 1]);
      rows.push([key, '2026-11-23', 'email', 'b', key === 'first_click' ? '0.20' : '0.15', 1]);
      rows.push([
        key,
        '2026-11-23',
        'paid_search',
        null,
        key === 'first_click' ? '5.00' : '5.05',
        2,
      ]);
      rows.push([key, '2026-11-23', 'unattributed', null, '7.77', 3]);
      // Day 2: direct only.
      rows.push([key, '2026-11-24', 'direct', null, '100.00', 4]);
      rows.push([key, '2026-11-24', 'unattributed', null, '1.23', 1]);
    }
    await insertMart(rows);
  });

  it('sums every day by model and channel, in cents, with shifts against first click', async () => {
    const report = await attributionReport(prisma, {});
    expect(report.channels.map((c) => c.channel)).toEqual(['direct', 'paid_search', 'email']);
    const email = report.channels.find((c) => c.channel === 'email')!;
    expect(email.revenue.first_click).toBe(0.3);
    expect(email.revenue.linear).toBe(0.25);
    expect(email.shift.linear).toBe(-0.05);
    const search = report.channels.find((c) => c.channel === 'paid_search')!;
    expect(search.shift.time_decay).toBe(0.05);
    for (const { key } of ATTRIBUTION_MODELS) expect(report.totals[key]).toBe(105.3);
    expect(report.checkouts).toBe(8);
    expect(report.unattributedRevenue).toBe(9);
    expect(report.coverage).toEqual({ from: '2026-11-23', to: '2026-11-24' });
    expect(report.lastBuiltAt).toBe('2026-11-24T10:01:30.500Z');
    expect(report.models.map((m) => m.key)).toEqual(ATTRIBUTION_MODELS.map((m) => m.key));
    // Campaigns: only named ones, never 'unattributed', by first-click revenue.
    expect(report.campaigns.map((c) => [c.channel, c.campaign])).toEqual([
      ['email', 'b'],
      ['email', 'a'],
    ]);
    expect(report.campaigns[0]!.revenue.first_click).toBe(0.2);
    expect(report.campaigns[0]!.shift.linear).toBe(-0.05);
  });

  it('keeps to the day range, both ends inclusive; coverage stays the whole publication', async () => {
    const dayOne = await attributionReport(prisma, { from: '2026-11-23', to: '2026-11-23' });
    expect(dayOne.channels.map((c) => c.channel)).toEqual(['paid_search', 'email']);
    expect(dayOne.checkouts).toBe(4);
    expect(dayOne.unattributedRevenue).toBe(7.77);
    expect(dayOne.coverage).toEqual({ from: '2026-11-23', to: '2026-11-24' });
    const fromDayTwo = await attributionReport(prisma, { from: '2026-11-24' });
    expect(fromDayTwo.channels.map((c) => c.channel)).toEqual(['direct']);
    expect(fromDayTwo.campaigns).toEqual([]);
    const none = await attributionReport(prisma, { to: '2026-11-22' });
    expect(none.channels).toEqual([]);
    expect(none.checkouts).toBe(0);
    expect(none.unattributedRevenue).toBe(0);
  });
});

describe('checkoutCredits', () => {
  it('lists the clicks oldest first with each model’s credit, and never the user id', async () => {
    const insert = (click: string, model: string, weight: number, amount: string, at: string) =>
      pool.query(
        `INSERT INTO commerce.attribution_credits (checkout_id, user_id, click_id, model, weight,
           credited_amount, click_time, channel, campaign, product_id, checkout_date)
         VALUES ('c1', 123456789, $1, $2, $3, $4, $5, 'email', NULL, '7', '2026-11-24')`,
        [click, model, weight, amount, at],
      );
    await insert('k2', 'linear', 0.5, '5.00', '2026-11-24T10:30:00Z');
    await insert('k1', 'linear', 0.5, '5.01', '2026-11-24T10:00:00Z');
    await insert('k1', 'first_click', 1, '10.01', '2026-11-24T10:00:00Z');
    const credits = await checkoutCredits(prisma, 'c1');
    expect(credits.lastBuiltAt).toBe('2026-11-24T10:01:30.500Z');
    expect(credits.clicks.map((k) => k.clickId)).toEqual(['k1', 'k2']);
    expect(credits.clicks[0]!.credits).toEqual({
      linear: { weight: 0.5, amount: 5.01 },
      first_click: { weight: 1, amount: 10.01 },
    });
    expect(JSON.stringify(credits)).not.toContain('123456789');
    expect((await checkoutCredits(prisma, 'no-such-checkout')).clicks).toEqual([]);
  });
});

describe('liveRevenueByChannel', () => {
  it('sums the last hour’s attributed rows by the click’s channel, null included', async () => {
    const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();
    const rows: [string, string | null, string | null, string, string][] = [
      ['l1', 'k', 'email', '10.10', minutesAgo(5)],
      ['l2', 'k', 'email', '0.20', minutesAgo(50)],
      ['l3', 'k', null, '3.00', minutesAgo(10)],
      ['l4', null, null, '99.00', minutesAgo(10)], // unattributed: no channel's revenue
      ['l5', 'k', 'email', '500.00', minutesAgo(61)], // before the window
    ];
    for (const [id, click, channel, amount, at] of rows) {
      await pool.query(
        `INSERT INTO commerce.attributed_checkouts (checkout_id, user_id, user_name, click_id,
           product_id, payment_method, total_amount, shipping_address, billing_address,
           user_agent, ip_address, checkout_time, click_time, is_final, is_unknown_user, is_late,
           partition, processed_at, first_written_at, click_channel)
         VALUES ($1, 1, 'u', $2, '1', 'card', $3, 'a', 'b', 'ua', '10.0.0.1', $4,
                 CASE WHEN $2::text IS NULL THEN NULL ELSE $4::timestamptz END, true, false, false,
                 0, now(), now(), $5)`,
        [id, click, amount, at, channel],
      );
    }
    const live = await liveRevenueByChannel(prisma, NOW);
    expect(live.channels).toEqual([
      { channel: 'email', label: 'email', revenue: 10.3, checkouts: 2 },
      { channel: null, label: 'unknown (before channels)', revenue: 3, checkouts: 1 },
    ]);
    expect(live.fromTime).toBe(NOW - 50 * 60_000);
    expect(live.capped).toBe(false);
    const empty = await liveRevenueByChannel(prisma, NOW + 10 * 3_600_000);
    expect(empty).toEqual({
      at: NOW + 10 * 3_600_000,
      fromTime: null,
      capped: false,
      channels: [],
    });
  });
});

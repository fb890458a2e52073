// The dashboard's reads of the sink (commerce.attributed_checkouts): the newest attributed rows
// for the live feed, and aggregates over a bounded window of the newest rows (the last hour, at
// most WINDOW_ROW_CAP rows) so the per-second cost stays flat however large the table grows. All
// reads walk the (checkout_time DESC, checkout_id DESC) index. Through Prisma Client as raw
// tagged templates: window aggregates in one round trip have no typed-API form.
import type { Db } from '../db/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { productJoin } from './product-join.ts';
import type { FeedRow, HistogramBin, SinkWindow, TopProduct } from './pipeline-snapshot.ts';

export const WINDOW_MS = 3_600_000;
export const WINDOW_ROW_CAP = 20_000;

/** Lower bounds (seconds) of the click → checkout histogram bins; the window caps it at 1 h. */
export const DELAY_BINS: readonly { fromSec: number; label: string }[] = [
  { fromSec: 0, label: '< 10 s' },
  { fromSec: 10, label: '10–30 s' },
  { fromSec: 30, label: '30 s–1 min' },
  { fromSec: 60, label: '1–2 min' },
  { fromSec: 120, label: '2–5 min' },
  { fromSec: 300, label: '5–10 min' },
  { fromSec: 600, label: '10–20 min' },
  { fromSec: 1200, label: '20–30 min' },
  { fromSec: 1800, label: '30–45 min' },
  { fromSec: 2700, label: '45–60 min' },
];

interface FeedRecord {
  checkout_id: string;
  user_id: string;
  user_name: string;
  product_id: string;
  product_name: string | null;
  total_amount: number;
  checkout_time: Date;
  click_id: string | null;
  click_time: Date | null;
  is_final: boolean;
  is_late: boolean;
}

/** The newest attributed checkouts, newest first. */
export async function newestAttributed(db: Db, limit = 12): Promise<FeedRow[]> {
  const rows = await db.$queryRaw<FeedRecord[]>`
     SELECT a.checkout_id, a.user_id::text AS user_id, a.user_name, a.product_id,
            p.name AS product_name, a.total_amount::float8 AS total_amount, a.checkout_time,
            a.click_id, a.click_time, a.is_final, a.is_late
       FROM commerce.attributed_checkouts a ${Prisma.raw(productJoin('a'))}
      WHERE a.click_id IS NOT NULL
      ORDER BY a.checkout_time DESC, a.checkout_id DESC
      LIMIT ${limit}`;
  return rows.map((r) => ({
    checkoutId: r.checkout_id,
    userId: r.user_id,
    userName: r.user_name,
    productId: r.product_id,
    productName: r.product_name,
    totalAmount: r.total_amount,
    checkoutTime: r.checkout_time.getTime(),
    clickId: r.click_id,
    clickTime: r.click_time?.getTime() ?? null,
    isFinal: r.is_final,
    isLate: r.is_late,
  }));
}

export interface WindowAggregates {
  window: SinkWindow;
  topProducts: TopProduct[];
  histogram: HistogramBin[];
  lastRowWrittenAt: number | null;
}

interface AggregateRecord {
  totals: {
    rows: number;
    attributed: number;
    final: number;
    late: number;
    revenue: number | null;
    from_time: string | null;
    last_written: string | null;
  };
  top: { product_id: string; name: string | null; revenue: number; checkouts: number }[];
  hist: { bin: number; count: number }[];
}

/** Totals, top products and the click → checkout delay histogram over the newest rows. */
export async function windowAggregates(db: Db, now: number): Promise<WindowAggregates> {
  const from = new Date(now - WINDOW_MS).toISOString();
  const bins = DELAY_BINS.map((b) => b.fromSec);
  const rows = await db.$queryRaw<AggregateRecord[]>`
     WITH recent AS MATERIALIZED (
       SELECT product_id, total_amount, click_id, click_time, checkout_time, is_final, is_late,
              processed_at
         FROM commerce.attributed_checkouts
        WHERE checkout_time >= ${from}::timestamptz
        ORDER BY checkout_time DESC, checkout_id DESC
        LIMIT ${WINDOW_ROW_CAP}
     ),
     top AS (
       SELECT product_id, sum(total_amount) AS revenue, count(*) AS checkouts
         FROM recent WHERE click_id IS NOT NULL
        GROUP BY product_id ORDER BY revenue DESC, product_id LIMIT 8
     ),
     hist AS (
       SELECT width_bucket(extract(epoch FROM checkout_time - click_time)::float8,
                           ${bins}::float8[]) AS bin, count(*) AS count
         FROM recent WHERE click_id IS NOT NULL
        GROUP BY 1
     )
     SELECT
       (SELECT json_build_object(
                 'rows', count(*), 'attributed', count(click_id),
                 'final', count(*) FILTER (WHERE is_final),
                 'late', count(*) FILTER (WHERE is_late),
                 'revenue', coalesce(sum(total_amount) FILTER (WHERE click_id IS NOT NULL), 0)::float8,
                 'from_time', min(checkout_time), 'last_written', max(processed_at))
          FROM recent) AS totals,
       (SELECT coalesce(json_agg(json_build_object(
                 'product_id', top.product_id, 'name', p.name,
                 'revenue', top.revenue::float8, 'checkouts', top.checkouts)
               ORDER BY top.revenue DESC, top.product_id), '[]'::json)
          FROM top ${Prisma.raw(productJoin('top'))}) AS top,
       (SELECT coalesce(json_agg(hist), '[]'::json) FROM hist) AS hist`;
  const record = rows[0]!;
  const t = record.totals;
  const counts = new Array<number>(DELAY_BINS.length).fill(0);
  for (const { bin, count } of record.hist) {
    // width_bucket: 1..n inside the bounds, n + 0 for exactly the last bound and above; 0 below
    // (a click after its checkout cannot be attributed, so 0 does not occur).
    const index = Math.min(Math.max(bin, 1), DELAY_BINS.length) - 1;
    counts[index]! += Number(count);
  }
  return {
    window: {
      fromTime: t.from_time === null ? null : Date.parse(t.from_time),
      rows: Number(t.rows),
      attributed: Number(t.attributed),
      final: Number(t.final),
      late: Number(t.late),
      attributedRevenue: Number(t.revenue ?? 0),
      capped: Number(t.rows) >= WINDOW_ROW_CAP,
    },
    topProducts: record.top.map((p) => ({
      productId: p.product_id,
      name: p.name,
      revenue: Number(p.revenue),
      checkouts: Number(p.checkouts),
    })),
    histogram: DELAY_BINS.map((b, i) => ({
      label: b.label,
      fromSec: b.fromSec,
      count: counts[i]!,
    })),
    lastRowWrittenAt: t.last_written === null ? null : Date.parse(t.last_written),
  };
}

// The web's reads for the five attribution models (issue 14), through Prisma Client as raw tagged
// templates: revenue by channel under each model over a day range (the small mart the models job
// publishes, lib/jobs/models-contract.ts), one checkout's credits per click and model, when the
// models were last built, and the speed layer's live first-click revenue by channel. Money is
// summed in SQL as whole cents (numeric, exact). Aggregates only: no user id leaves here. The
// shaping is pure, in attribution-report.ts (which the browser imports too).
import type { Db } from '../db/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { UNATTRIBUTED_CHANNEL } from '../jobs/models-contract.ts';
import {
  ATTRIBUTION_MODELS,
  BASELINE_MODEL,
  channelLabel,
  TOP_CAMPAIGNS,
  compareCampaigns,
  compareModels,
  creditsByClick,
  type AttributionRange,
  type AttributionReport,
  type CheckoutCredits,
  type LiveChannels,
} from './attribution-report.ts';
import { WINDOW_MS, WINDOW_ROW_CAP } from './sink-queries.ts';

/**
 * When the newest models run that published the attribution tables finished (ISO), or null when
 * none did: a succeeded run whose result names its publication (lib/jobs/models-contract.ts; a
 * run on another target, or from before issue 14, built nothing this page shows).
 */
export async function lastModelsBuild(db: Db): Promise<string | null> {
  const rows = await db.$queryRaw<{ finished_at: Date | null }[]>`
     SELECT max(finished_at) AS finished_at FROM commerce.job_runs
      WHERE kind = 'models' AND status = 'succeeded'
        AND jsonb_typeof(result -> 'attribution') = 'object'`;
  return rows[0]?.finished_at?.toISOString() ?? null;
}

const rangeFilter = (range: AttributionRange) =>
  Prisma.sql`${range.from === undefined ? Prisma.empty : Prisma.sql`AND checkout_date >= ${range.from}::date`}
             ${range.to === undefined ? Prisma.empty : Prisma.sql`AND checkout_date <= ${range.to}::date`}`;

/**
 * Revenue by channel under each model over checkout days in `range`, from the small mart the
 * models job publishes (commerce.attribution_by_channel, lib/jobs/models-contract.ts), and when
 * it was built.
 */
export async function attributionReport(
  db: Db,
  range: AttributionRange,
): Promise<AttributionReport> {
  const [byChannel, byCampaign, summary, lastBuiltAt] = await Promise.all([
    db.$queryRaw<{ model: string; channel: string; cents: number }[]>`
       SELECT model, channel, round(sum(credited_amount) * 100)::float8 AS cents
         FROM commerce.attribution_by_channel
        WHERE channel <> ${UNATTRIBUTED_CHANNEL} ${rangeFilter(range)}
        GROUP BY model, channel`,
    // The top campaigns are picked in SQL: a site can tag thousands.
    db.$queryRaw<{ model: string; channel: string; campaign: string; cents: number }[]>`
       WITH sums AS (
         SELECT model, channel, campaign, round(sum(credited_amount) * 100)::float8 AS cents
           FROM commerce.attribution_by_channel
          WHERE channel <> ${UNATTRIBUTED_CHANNEL} AND campaign IS NOT NULL ${rangeFilter(range)}
          GROUP BY model, channel, campaign
       ),
       top AS (
         SELECT channel, campaign FROM sums
          GROUP BY channel, campaign
          ORDER BY coalesce(max(cents) FILTER (WHERE model = ${BASELINE_MODEL}), 0) DESC,
                   max(cents) DESC, channel, campaign
          LIMIT ${TOP_CAMPAIGNS}
       )
       SELECT sums.* FROM sums JOIN top USING (channel, campaign)`,
    db.$queryRaw<
      {
        checkouts: number | null;
        unattributed_cents: number | null;
        first_day: Date | null;
        last_day: Date | null;
      }[]
    >`
       SELECT (SELECT sum(checkouts)::float8 FROM commerce.attribution_by_channel
                WHERE model = ${BASELINE_MODEL} AND channel <> ${UNATTRIBUTED_CHANNEL}
                      ${rangeFilter(range)}) AS checkouts,
              (SELECT round(sum(credited_amount) * 100)::float8 FROM commerce.attribution_by_channel
                WHERE model = ${BASELINE_MODEL} AND channel = ${UNATTRIBUTED_CHANNEL}
                      ${rangeFilter(range)}) AS unattributed_cents,
              min(checkout_date) AS first_day, max(checkout_date) AS last_day
         FROM commerce.attribution_by_channel`,
    lastModelsBuild(db),
  ]);
  const s = summary[0];
  const dayText = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : null);
  return {
    ...compareModels(byChannel.map((r) => ({ ...r, cents: Number(r.cents) }))),
    campaigns: compareCampaigns(
      byCampaign.map((r) => ({ ...r, cents: Number(r.cents) })),
      TOP_CAMPAIGNS,
    ),
    models: ATTRIBUTION_MODELS,
    range,
    lastBuiltAt,
    checkouts: Number(s?.checkouts ?? 0),
    unattributedRevenue: Number(s?.unattributed_cents ?? 0) / 100,
    coverage: { from: dayText(s?.first_day), to: dayText(s?.last_day) },
  };
}

/** One checkout's credits per candidate click and model (empty: the models have not covered it). */
export async function checkoutCredits(db: Db, checkoutId: string): Promise<CheckoutCredits> {
  const [records, lastBuiltAt] = await Promise.all([
    db.$queryRaw<
      {
        click_id: string;
        model: string;
        weight: number;
        cents: number;
        click_time: Date;
        channel: string | null;
        campaign: string | null;
      }[]
    >`
       SELECT click_id, model, weight::float8 AS weight,
              round(credited_amount * 100)::float8 AS cents, click_time, channel, campaign
         FROM commerce.attribution_credits
        WHERE checkout_id = ${checkoutId}`,
    lastModelsBuild(db),
  ]);
  return {
    clicks: creditsByClick(
      records.map((r) => ({
        clickId: r.click_id,
        model: r.model,
        weight: Number(r.weight),
        cents: Number(r.cents),
        clickTime: r.click_time.toISOString(),
        channel: r.channel,
        campaign: r.campaign,
      })),
    ),
    lastBuiltAt,
  };
}

/**
 * The speed layer's first-click revenue by the winning click's channel over the dashboard's
 * window (the newest rows of the last hour, at most WINDOW_ROW_CAP), walking the same index.
 */
export async function liveRevenueByChannel(db: Db, now: number): Promise<LiveChannels> {
  const from = new Date(now - WINDOW_MS).toISOString();
  const rows = await db.$queryRaw<
    {
      channel: string | null;
      cents: number;
      checkouts: number;
      rows: number;
      from_time: Date | null;
    }[]
  >`
     WITH recent AS MATERIALIZED (
       SELECT click_id, click_channel, total_amount, checkout_time
         FROM commerce.attributed_checkouts
        WHERE checkout_time >= ${from}::timestamptz
        ORDER BY checkout_time DESC, checkout_id DESC
        LIMIT ${WINDOW_ROW_CAP}
     ),
     window_rows AS (SELECT count(*)::float8 AS rows, min(checkout_time) AS from_time FROM recent)
     SELECT by_channel.channel, by_channel.cents, by_channel.checkouts, w.rows, w.from_time
       FROM window_rows w
       LEFT JOIN (
         SELECT click_channel AS channel, round(sum(total_amount) * 100)::float8 AS cents,
                count(*)::float8 AS checkouts
           FROM recent WHERE click_id IS NOT NULL
          GROUP BY click_channel
       ) by_channel ON true`;
  const first = rows[0];
  return {
    at: now,
    fromTime: first?.from_time?.getTime() ?? null,
    capped: Number(first?.rows ?? 0) >= WINDOW_ROW_CAP,
    channels: rows
      .filter((r) => r.cents !== null)
      .map((r) => ({
        channel: r.channel,
        label: channelLabel(r.channel),
        revenue: Number(r.cents) / 100,
        checkouts: Number(r.checkouts),
      }))
      .sort((a, b) => b.revenue - a.revenue || a.label.localeCompare(b.label)),
  };
}

// Attribution data written straight into the e2e database (as the owner), standing in for what a
// models run publishes (lib/jobs/models-contract.ts): one checkout with three candidate clicks
// credited under the five models, the by-channel mart those credits make, a succeeded models run
// ("last built at"), and a checkout the models have not covered. Everything carries the seed's
// prefix and is removed again, so the batch specs' own models run starts from what it makes.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../lib/config.ts';
import { e2eDatabaseUrl } from './e2e-stack.ts';

export const MODELS = [
  'first_click',
  'last_click',
  'linear',
  'time_decay',
  'position_based',
] as const;
export const MODEL_LABELS = ['First click', 'Last click', 'Linear', 'Time decay', 'Position-based'];

type Model = (typeof MODELS)[number];

/** A $100.00 checkout, clicks 50, 30 and 10 minutes before it, each from another channel. */
export const SEED_CLICKS = [
  { suffix: 'email', channel: 'email', campaign: 'spring-sale', minutesBefore: 50 },
  { suffix: 'search', channel: 'paid_search', campaign: 'brand', minutesBefore: 30 },
  { suffix: 'social', channel: 'organic_social', campaign: null, minutesBefore: 10 },
] as const;

/** Credited amounts (cents) per model for the three clicks in order; each row adds up to 10000. */
export const SEED_CREDITS: Record<Model, readonly [number, number, number]> = {
  first_click: [10000, 0, 0],
  last_click: [0, 0, 10000],
  linear: [3334, 3333, 3333],
  time_decay: [2000, 3000, 5000],
  position_based: [4000, 2000, 4000],
};

/**
 * The mart's revenue per model and channel (cents): the checkout above plus other days' revenue
 * so every channel has revenue under every model and every bar is drawn.
 */
const OTHER_REVENUE: Record<string, number> = {
  email: 25000,
  paid_search: 40000,
  organic_social: 12000,
  direct: 30000,
};

export interface AttributionSeed {
  checkoutId: string;
  uncoveredCheckoutId: string;
  clickIds: string[];
  runId: string;
  builtAt: string;
}

async function withOwner<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl(loadConfig().DATABASE_URL) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function seedAttribution(): Promise<AttributionSeed> {
  const tag = `attr-${randomBytes(4).toString('hex')}`;
  const checkoutId = `${tag}-checkout`;
  const uncoveredCheckoutId = `${tag}-uncovered`;
  const clickIds = SEED_CLICKS.map((k) => `${tag}-click-${k.suffix}`);
  const checkoutTime = new Date(Date.now() - 5 * 60_000);
  const day = checkoutTime.toISOString().slice(0, 10);
  return withOwner(async (client) => {
    await client.query('BEGIN');
    const checkout = (id: string, clickId: string | null, clickTime: Date | null) =>
      client.query(
        `INSERT INTO commerce.attributed_checkouts (checkout_id, user_id, user_name, click_id,
           product_id, payment_method, total_amount, shipping_address, billing_address,
           user_agent, ip_address, checkout_time, click_time, is_final, is_unknown_user, is_late,
           partition, processed_at, first_written_at, click_channel, click_campaign)
         VALUES ($1, 4242, 'attribution seed', $2, '1', 'card', 100.00, 'street', 'street', 'ua',
                 '192.0.2.1', $3, $4, true, false, false, 0, now(), now(), $5, $6)`,
        [
          id,
          clickId,
          checkoutTime,
          clickTime,
          clickId ? SEED_CLICKS[0].channel : null,
          clickId ? SEED_CLICKS[0].campaign : null,
        ],
      );
    const clickTimes = SEED_CLICKS.map(
      (k) => new Date(checkoutTime.getTime() - k.minutesBefore * 60_000),
    );
    await checkout(checkoutId, clickIds[0]!, clickTimes[0]!);
    await checkout(uncoveredCheckoutId, null, null);
    for (const model of MODELS) {
      for (const [i, click] of SEED_CLICKS.entries()) {
        const cents = SEED_CREDITS[model][i]!;
        if (cents === 0) continue;
        await client.query(
          `INSERT INTO commerce.attribution_credits (checkout_id, user_id, click_id, model, weight,
             credited_amount, click_time, channel, campaign, product_id, checkout_date)
           VALUES ($1, 4242, $2, $3, $4, $5, $6, $7, $8, '1', $9)`,
          [
            checkoutId,
            clickIds[i],
            model,
            cents / 10000,
            (cents / 100).toFixed(2),
            clickTimes[i],
            click.channel,
            click.campaign,
            day,
          ],
        );
      }
      // Mart rows by (channel, campaign): the other days' revenue has no campaign, the seeded
      // clicks' credits carry theirs.
      const byGroup = new Map<string, number>(
        Object.entries(OTHER_REVENUE).map(([channel, cents]) => [
          JSON.stringify([channel, null]),
          cents,
        ]),
      );
      for (const [i, click] of SEED_CLICKS.entries()) {
        const group = JSON.stringify([click.channel, click.campaign]);
        byGroup.set(group, (byGroup.get(group) ?? 0) + SEED_CREDITS[model][i]!);
      }
      for (const [group, cents] of byGroup) {
        const [channel, campaign] = JSON.parse(group) as [string, string | null];
        await client.query(
          `INSERT INTO commerce.attribution_by_channel (model, checkout_date, channel, campaign,
             credited_amount, conversions, checkouts, clicks)
           VALUES ($1, $2, $3, $4, $5, 1, 1, 1)`,
          [model, day, channel, campaign, (cents / 100).toFixed(2)],
        );
      }
      await client.query(
        `INSERT INTO commerce.attribution_by_channel (model, checkout_date, channel, campaign,
           credited_amount, conversions, checkouts, clicks)
         VALUES ($1, $2, 'unattributed', NULL, 55.00, 1, 1, 0)`,
        [model, day],
      );
    }
    const run = await client.query<{ id: string; finished_at: Date }>(
      `INSERT INTO commerce.job_runs (kind, status, started_at, finished_at, attempts, result)
       VALUES ('models', 'succeeded', now() - interval '2 minutes', now() - interval '1 minute', 1,
               '{"attribution": {"credits": 13, "byChannel": 25, "overflowRows": 0, "seconds": 0.1}}')
       RETURNING id, finished_at`,
    );
    await client.query('COMMIT');
    return {
      checkoutId,
      uncoveredCheckoutId,
      clickIds,
      runId: run.rows[0]!.id,
      builtAt: run.rows[0]!.finished_at.toISOString(),
    };
  });
}

/** The revenue per channel the seeded mart gives a model (dollars). */
export function seededRevenue(model: Model, channel: string): number {
  let cents = OTHER_REVENUE[channel] ?? 0;
  for (const [i, click] of SEED_CLICKS.entries()) {
    if (click.channel === channel) cents += SEED_CREDITS[model][i]!;
  }
  return cents / 100;
}

export async function removeAttributionSeed(seed: AttributionSeed): Promise<void> {
  await withOwner(async (client) => {
    await client.query('BEGIN');
    await client.query('DELETE FROM commerce.attribution_credits WHERE checkout_id = $1', [
      seed.checkoutId,
    ]);
    // The mart rows are all the seed's: the platform specs run before any models run.
    await client.query('DELETE FROM commerce.attribution_by_channel');
    await client.query('DELETE FROM commerce.attributed_checkouts WHERE checkout_id = ANY($1)', [
      [seed.checkoutId, seed.uncoveredCheckoutId],
    ]);
    await client.query('DELETE FROM commerce.job_runs WHERE id = $1', [seed.runId]);
    await client.query('COMMIT');
  });
}

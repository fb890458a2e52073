// The attribution page's pure side (issue 14), safe in the browser: the five models' names, the
// channels' labels, the day-range input, and the shaping of what lib/web/attribution-queries.ts
// reads: (model, channel) sums pivoted into per-channel rows with shifts against first click, and
// one checkout's credits by click. Money arrives as whole cents and is compared in cents, so a
// shift of zero is zero.
import { z } from 'zod';
import {
  ATTRIBUTION_MODELS as MODEL_KEY_LIST,
  type AttributionModel,
} from '../jobs/models-contract.ts';
import { formatIssues } from './schemas.ts';

const MODEL_LABELS: Record<AttributionModel, string> = {
  first_click: 'First click',
  last_click: 'Last click',
  linear: 'Linear',
  time_decay: 'Time decay',
  position_based: 'Position-based',
};

export type ModelKey = AttributionModel;

/** The models in the contract's order, named for people; first click is the shifts' baseline. */
export const ATTRIBUTION_MODELS: readonly { key: ModelKey; label: string }[] = MODEL_KEY_LIST.map(
  (key) => ({ key, label: MODEL_LABELS[key] }),
);
export const BASELINE_MODEL: ModelKey = 'first_click';
const MODEL_KEYS = new Set<string>(MODEL_KEY_LIST);
const isModelKey = (key: string): key is ModelKey => MODEL_KEYS.has(key);

/** How many campaigns the page compares. */
export const TOP_CAMPAIGNS = 12;

/** Rows written before clicks carried a channel (the speed layer's older rows) have none. */
export const UNKNOWN_CHANNEL_LABEL = 'unknown (before channels)';

/** `paid_search` → `paid search`; null → the unknown label. */
export function channelLabel(channel: string | null): string {
  return channel === null ? UNKNOWN_CHANNEL_LABEL : channel.replaceAll('_', ' ');
}

// ---------------------------------------------------------------------------------------------
// Input

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const day = z
  .string()
  .regex(DAY, 'a day is written YYYY-MM-DD')
  .refine((text) => {
    const ms = Date.parse(`${text}T00:00:00Z`);
    return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text);
  }, 'not a calendar day');

/** An empty field (a form left blank) means no bound. */
const bound = day.optional().or(z.literal('').transform(() => undefined));

/** `?from=YYYY-MM-DD&to=YYYY-MM-DD` (checkout days, UTC, both inclusive, both optional). */
export const attributionRangeSchema = z
  .strictObject({ from: bound, to: bound })
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

export type AttributionRange = z.infer<typeof attributionRangeSchema>;

/** The range, or the message a 400 answer gives. */
export function parseAttributionRange(
  params: Record<string, unknown>,
): { ok: true; range: AttributionRange } | { ok: false; error: string } {
  const result = attributionRangeSchema.safeParse(params);
  return result.success
    ? { ok: true, range: result.data }
    : { ok: false, error: `Bad query: ${formatIssues(result.error)}` };
}

// ---------------------------------------------------------------------------------------------
// Pure shaping

export interface ChannelModelCents {
  model: string;
  channel: string | null;
  cents: number;
}

export interface ChannelComparison {
  /** The channel as stored (null: unknown). */
  channel: string | null;
  label: string;
  /** Revenue credited to the channel under each model, dollars. */
  revenue: Record<ModelKey, number>;
  /** Model revenue minus first-click revenue, dollars (first click itself: 0). */
  shift: Record<ModelKey, number>;
}

export interface ModelComparison {
  channels: ChannelComparison[];
  /** Revenue under each model, dollars: equal across models when every credit sums to its amount. */
  totals: Record<ModelKey, number>;
}

const zeroByModel = (): Record<ModelKey, number> =>
  Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [m.key, 0])) as Record<ModelKey, number>;

/**
 * Pivots (model, channel, cents) rows into one row per channel with every model's revenue and
 * its shift against first click; models the web does not know are left out. Channels are ordered
 * by first-click revenue, then by the largest revenue under any model, then by name.
 */
export function compareModels(rows: readonly ChannelModelCents[]): ModelComparison {
  const cents = new Map<string, { channel: string | null; byModel: Record<ModelKey, number> }>();
  const totalCents = zeroByModel();
  for (const row of rows) {
    if (!isModelKey(row.model)) continue;
    const key = row.channel ?? '\u0000unknown';
    const entry = cents.get(key) ?? { channel: row.channel, byModel: zeroByModel() };
    entry.byModel[row.model] += row.cents;
    totalCents[row.model] += row.cents;
    cents.set(key, entry);
  }
  const toDollars = (byModel: Record<ModelKey, number>) =>
    Object.fromEntries(Object.entries(byModel).map(([k, c]) => [k, c / 100])) as Record<
      ModelKey,
      number
    >;
  const channels = [...cents.values()].map(({ channel, byModel }) => {
    const shiftCents = zeroByModel();
    for (const { key } of ATTRIBUTION_MODELS) shiftCents[key] = byModel[key] - byModel.first_click;
    return {
      channel,
      label: channelLabel(channel),
      revenue: toDollars(byModel),
      shift: toDollars(shiftCents),
      peak: Math.max(...Object.values(byModel)),
    };
  });
  channels.sort(
    (a, b) =>
      b.revenue[BASELINE_MODEL] - a.revenue[BASELINE_MODEL] ||
      b.peak - a.peak ||
      a.label.localeCompare(b.label),
  );
  return {
    channels: channels.map(({ peak: _peak, ...c }) => c),
    totals: toDollars(totalCents),
  };
}

export interface CampaignModelCents extends ChannelModelCents {
  campaign: string;
}

export interface CampaignComparison {
  channel: string | null;
  channelLabel: string;
  campaign: string;
  revenue: Record<ModelKey, number>;
  shift: Record<ModelKey, number>;
}

/**
 * Campaigns (utm_campaign, within their channel), each with every model's revenue and shift
 * against first click, ordered like the channels (first-click revenue, then the largest under any
 * model, then name), at most `limit`.
 */
export function compareCampaigns(
  rows: readonly CampaignModelCents[],
  limit: number,
): CampaignComparison[] {
  const byCampaign = new Map<string, ChannelModelCents[]>();
  const named = new Map<string, { channel: string | null; campaign: string }>();
  for (const row of rows) {
    const key = JSON.stringify([row.channel, row.campaign]);
    byCampaign.set(key, [...(byCampaign.get(key) ?? []), { ...row, channel: key }]);
    named.set(key, { channel: row.channel, campaign: row.campaign });
  }
  // Each campaign is a "channel" of its own for the pivot, keyed by (channel, campaign).
  const { channels } = compareModels([...byCampaign.values()].flat());
  return channels.slice(0, limit).map((c) => {
    const { channel, campaign } = named.get(c.channel!)!;
    return {
      channel,
      channelLabel: channelLabel(channel),
      campaign,
      revenue: c.revenue,
      shift: c.shift,
    };
  });
}

export interface CreditRecord {
  clickId: string;
  model: string;
  weight: number;
  cents: number;
  clickTime: string;
  channel: string | null;
  campaign: string | null;
}

export interface ClickCredits {
  clickId: string;
  clickTime: string;
  channel: string | null;
  channelLabel: string;
  campaign: string | null;
  /** Per model: the click's weight (0..1) and credited amount (dollars); absent: no credit row. */
  credits: Partial<Record<ModelKey, { weight: number; amount: number }>>;
}

/** One row per candidate click (oldest first, ties by click id), its credit under each model. */
export function creditsByClick(records: readonly CreditRecord[]): ClickCredits[] {
  const clicks = new Map<string, ClickCredits>();
  for (const r of records) {
    if (!isModelKey(r.model)) continue;
    const click = clicks.get(r.clickId) ?? {
      clickId: r.clickId,
      clickTime: r.clickTime,
      channel: r.channel,
      channelLabel: channelLabel(r.channel),
      campaign: r.campaign,
      credits: {},
    };
    click.credits[r.model] = { weight: r.weight, amount: r.cents / 100 };
    clicks.set(r.clickId, click);
  }
  return [...clicks.values()].sort(
    (a, b) =>
      Date.parse(a.clickTime) - Date.parse(b.clickTime) ||
      (a.clickId < b.clickId ? -1 : a.clickId > b.clickId ? 1 : 0),
  );
}

// ---------------------------------------------------------------------------------------------
// What the API answers

export interface AttributionReport extends ModelComparison {
  /** The campaigns earning the most (at most TOP_CAMPAIGNS), compared like the channels. */
  campaigns: CampaignComparison[];
  models: readonly { key: ModelKey; label: string }[];
  range: AttributionRange;
  /** The newest successful models run (ISO), null when the models never ran. */
  lastBuiltAt: string | null;
  /** Checkouts credited to a click in the range (each has exactly one under first click). */
  checkouts: number;
  /** Revenue of the range's checkouts with no click in the window: no model credits it. */
  unattributedRevenue: number;
  /** The checkout days the publication covers (all of it, not only the range). */
  coverage: { from: string | null; to: string | null };
}

export interface CheckoutCredits {
  clicks: ClickCredits[];
  lastBuiltAt: string | null;
}

export interface LiveChannelRevenue {
  channel: string | null;
  label: string;
  revenue: number;
  checkouts: number;
}

export interface LiveChannels {
  /** Epoch ms the figures were read at. */
  at: number;
  /** Start of the window (epoch ms), null when the sink has no row in it. */
  fromTime: number | null;
  /** True when the row cap, not the hour, bounds the window (as on the dashboard). */
  capped: boolean;
  channels: LiveChannelRevenue[];
}

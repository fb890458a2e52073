// Landing URLs of the simulator's clicks, drawn from a channel mix: a product page with the UTM
// parameters and ad click ids a real campaign of that channel puts on it (a few named campaigns
// per channel), or the plain URL for direct traffic. Sessions: a user's next click within 30
// minutes keeps its channel and campaign half the time and draws afresh otherwise, so one user's
// clicks on one product come from several channels (first and last click differ) while each
// click's channel still follows the mix exactly (keeping a channel drawn from the mix keeps the
// mix). Seeded and pure: time comes in as an argument.
import {
  MIX_CHANNELS,
  channelShares,
  type ChannelWeights,
  type MixChannel,
} from './channel-mix.ts';
import { seededRandom } from './seeded-random.ts';

/** How a channel's traffic is tagged: utm_source/utm_medium/utm_campaign and an ad click id. */
interface Source {
  source: string;
  /** The ad platform's click id parameter (gclid, msclkid, fbclid, ttclid), if it sets one. */
  clickId?: string;
}

interface ChannelTagging {
  medium: string | null;
  sources: readonly Source[];
  /** Named campaigns; empty: the channel sends no utm_campaign. */
  campaigns: readonly string[];
}

const TAGGING: Record<Exclude<MixChannel, 'direct'>, ChannelTagging> = {
  organic_search: {
    medium: 'organic',
    sources: [{ source: 'google' }, { source: 'bing' }, { source: 'duckduckgo' }],
    campaigns: [],
  },
  paid_search: {
    medium: 'cpc',
    sources: [
      { source: 'google', clickId: 'gclid' },
      { source: 'bing', clickId: 'msclkid' },
    ],
    campaigns: ['brand-search', 'generic-office-gear', 'competitor-terms'],
  },
  display: {
    medium: 'display',
    sources: [{ source: 'google' }, { source: 'criteo' }],
    campaigns: ['retargeting-viewed-products', 'holiday-awareness'],
  },
  paid_social: {
    medium: 'paid_social',
    sources: [
      { source: 'facebook', clickId: 'fbclid' },
      { source: 'instagram', clickId: 'fbclid' },
      { source: 'tiktok', clickId: 'ttclid' },
    ],
    campaigns: ['holiday-gifts-carousel', 'new-arrivals-video', 'lookalike-prospecting'],
  },
  organic_social: {
    medium: 'social',
    sources: [
      { source: 'facebook' },
      { source: 'instagram' },
      { source: 'linkedin' },
      { source: 'pinterest' },
    ],
    campaigns: ['launch-week-post', 'creator-shoutout'],
  },
  email: {
    medium: 'email',
    sources: [{ source: 'newsletter' }],
    campaigns: ['black-friday-2026', 'weekly-digest', 'cart-reminder'],
  },
  affiliate: {
    medium: 'affiliate',
    sources: [
      { source: 'dealfinder' },
      { source: 'techreviews-blog' },
      { source: 'cashback-club' },
    ],
    campaigns: ['partner-program'],
  },
  referral: {
    medium: 'referral',
    sources: [
      { source: 'blog.example.org' },
      { source: 'forum.example.net' },
      { source: 'news.example.com' },
    ],
    campaigns: [],
  },
};

/** The original generator's URL of a product page (direct traffic). */
export function plainProductUrl(productId: number): string {
  return `https://shop.example.com/products/${productId}`;
}

/** A session lasts while the user clicks at most this long after their previous click (GA4's default). */
export const SESSION_TIMEOUT_MS = 30 * 60_000;
/** Chance that a click inside a session keeps the session's channel and campaign. */
export const SESSION_STICKINESS = 0.5;

interface Visit {
  channel: MixChannel;
  source: Source | null;
  campaign: string | null;
}

interface Session extends Visit {
  lastClickAt: number;
}

export interface CampaignClick {
  url: string;
  /** The channel the URL was made for (what lib/domain/channel.ts's channelOf reads back). */
  channel: MixChannel;
  campaign: string | null;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export class CampaignUrls {
  private readonly random: () => number;
  /** Cumulative shares, in MIX_CHANNELS order, for one uniform draw per channel choice. */
  private readonly cumulative: number[];
  private readonly lastWithWeight: MixChannel;
  private readonly sessions = new Map<number, Session>();

  constructor(weights: ChannelWeights, seed: number) {
    // Its own stream (not the generator's), so the rest of a seeded stream is the same whatever
    // the mix: only the URLs differ.
    this.random = seededRandom((seed ^ 0x5bd1e995) >>> 0);
    const shares = channelShares(weights);
    let sum = 0;
    this.cumulative = MIX_CHANNELS.map((c) => (sum += shares[c]));
    this.lastWithWeight = MIX_CHANNELS.filter((c) => shares[c] > 0).at(-1)!;
  }

  /** The URL of `userId`'s click on `productId` at event time `at`. */
  click(userId: number, productId: number, at: number): CampaignClick {
    const previous = this.sessions.get(userId);
    const inSession =
      previous !== undefined && Math.abs(at - previous.lastClickAt) <= SESSION_TIMEOUT_MS;
    const visit: Visit =
      inSession && this.random() < SESSION_STICKINESS ? previous : this.freshVisit();
    this.sessions.set(userId, { ...visit, lastClickAt: at });
    return {
      url: this.url(productId, visit),
      channel: visit.channel,
      campaign: visit.campaign,
    };
  }

  private freshVisit(): Visit {
    const r = this.random();
    const i = this.cumulative.findIndex((edge) => r < edge);
    // Rounding can leave the last edge a hair under 1: then the last channel with weight.
    const channel = i >= 0 ? MIX_CHANNELS[i]! : this.lastWithWeight;
    if (channel === 'direct') return { channel, source: null, campaign: null };
    const tagging = TAGGING[channel];
    return {
      channel,
      source: this.pick(tagging.sources),
      campaign: tagging.campaigns.length > 0 ? this.pick(tagging.campaigns) : null,
    };
  }

  private url(productId: number, visit: Visit): string {
    const base = plainProductUrl(productId);
    if (visit.channel === 'direct' || !visit.source) return base;
    const params = new URLSearchParams({ utm_source: visit.source.source });
    const medium = TAGGING[visit.channel].medium;
    if (medium) params.set('utm_medium', medium);
    if (visit.campaign) params.set('utm_campaign', visit.campaign);
    // An ad click id is per ad click: a new one on every click, even inside a session.
    if (visit.source.clickId) params.set(visit.source.clickId, this.clickId());
    return `${base}?${params.toString()}`;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private clickId(): string {
    let id = '';
    for (let i = 0; i < 22; i++) id += ID_ALPHABET[Math.floor(this.random() * ID_ALPHABET.length)];
    return id;
  }
}

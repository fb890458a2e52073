// The tag a click carries through the speed layer: its channel and campaign (channel.ts), so the
// row of a checkout names the channel of the click it is attributed to, live. One string, so the
// click store can intern it (click-store.ts): a click holds a number, each tag is kept once.
import { CHANNELS, campaignOf, channelOf, type Channel } from './channel.ts';

const SEP = '\u0001';
/**
 * Campaigns longer than this are cut in the live rows (the batch layer keeps them whole): a
 * hostile URL must not make the retained state hold megabytes per click.
 */
export const MAX_LIVE_CAMPAIGN_CHARS = 200;

/** The tag of a click with this URL: its channel, and its campaign if it has one. */
export function originTag(url: string): string {
  const channel = channelOf(url);
  const campaign = campaignOf(url);
  return campaign === null ? channel : channel + SEP + cut(campaign);
}

/** At most MAX_LIVE_CAMPAIGN_CHARS code units, never half a surrogate pair (PostgreSQL refuses it). */
function cut(text: string): string {
  if (text.length <= MAX_LIVE_CAMPAIGN_CHARS) return text;
  const last = text.charCodeAt(MAX_LIVE_CAMPAIGN_CHARS - 1);
  const end =
    last >= 0xd800 && last <= 0xdbff ? MAX_LIVE_CAMPAIGN_CHARS - 1 : MAX_LIVE_CAMPAIGN_CHARS;
  return text.slice(0, end);
}

export interface ClickOrigin {
  channel: Channel | null;
  campaign: string | null;
}

/** The channel and campaign of a tag; both null for no tag (no click, or a click from before). */
export function parseOriginTag(tag: string | null): ClickOrigin {
  if (tag === null || tag === '') return { channel: null, campaign: null };
  const at = tag.indexOf(SEP);
  const name = at < 0 ? tag : tag.slice(0, at);
  const channel = (CHANNELS as readonly string[]).includes(name) ? (name as Channel) : null;
  return { channel, campaign: at < 0 ? null : tag.slice(at + 1) };
}

// The simulator's channel mix: how its clicks split over marketing channels, as weights per
// channel (any scale, normalized when drawn), and the named presets the page offers. Pure data,
// shared by the generator, the API's schema and the page. 'plain' is the original generator: every
// click a plain product URL, which classifies as direct.
import { CHANNELS, type Channel } from '../domain/channel.ts';

/**
 * The channels the simulator can send traffic from: every channel of lib/domain/channel.ts that a
 * URL alone can express, without 'other' (by definition what no rule recognizes).
 */
export type MixChannel = Exclude<Channel, 'other'>;

export const MIX_CHANNELS: readonly MixChannel[] = CHANNELS.filter(
  (c): c is MixChannel => c !== 'other',
);

/** Weight per channel, each >= 0, not all 0. */
export type ChannelWeights = Record<MixChannel, number>;

export const CHANNEL_LABELS: Record<MixChannel, string> = {
  direct: 'Direct',
  organic_search: 'Organic search',
  paid_search: 'Paid search',
  display: 'Display',
  paid_social: 'Paid social',
  organic_social: 'Organic social',
  email: 'Email',
  affiliate: 'Affiliate',
  referral: 'Referral',
};

const none: ChannelWeights = Object.fromEntries(MIX_CHANNELS.map((c) => [c, 0])) as ChannelWeights;

export const MIX_PRESET_NAMES = ['balanced', 'paid-heavy', 'plain'] as const;
export type MixPresetName = (typeof MIX_PRESET_NAMES)[number];

/** Percentages; 'balanced' is roughly a mid-size web shop's GA4 channel report. */
export const MIX_PRESETS: Record<MixPresetName, ChannelWeights> = {
  balanced: {
    ...none,
    direct: 35,
    organic_search: 25,
    paid_search: 15,
    paid_social: 5,
    organic_social: 5,
    email: 8,
    affiliate: 3,
    referral: 3,
    display: 1,
  },
  'paid-heavy': {
    ...none,
    direct: 15,
    organic_search: 10,
    paid_search: 30,
    display: 10,
    paid_social: 20,
    organic_social: 3,
    email: 5,
    affiliate: 5,
    referral: 2,
  },
  plain: { ...none, direct: 100 },
};

export const MIX_PRESET_LABELS: Record<MixPresetName, string> = {
  balanced: 'Balanced',
  'paid-heavy': 'Paid-heavy',
  plain: 'Plain URLs (original generator)',
};

/** A validated mix as the API hands it on: its weights, and the preset they equal, if any. */
export interface ChannelMix {
  preset: MixPresetName | 'custom';
  weights: ChannelWeights;
}

/** Shares summing to 1 (weights must have a positive sum). */
export function channelShares(weights: ChannelWeights): ChannelWeights {
  const total = MIX_CHANNELS.reduce((sum, c) => sum + weights[c], 0);
  return Object.fromEntries(MIX_CHANNELS.map((c) => [c, weights[c] / total])) as ChannelWeights;
}

/** The preset whose shares these weights have (to 1e-9), or 'custom'. */
export function presetOf(weights: ChannelWeights): MixPresetName | 'custom' {
  const shares = channelShares(weights);
  for (const name of MIX_PRESET_NAMES) {
    const preset = channelShares(MIX_PRESETS[name]);
    if (MIX_CHANNELS.every((c) => Math.abs(preset[c] - shares[c]) < 1e-9)) return name;
  }
  return 'custom';
}

/** Every click direct: the original generator's plain URLs, with no randomness spent on them. */
export function isPlain(weights: ChannelWeights): boolean {
  return MIX_CHANNELS.every((c) => c === 'direct' || weights[c] === 0);
}

/** Weights as a full record (missing channels 0). Checks nothing: the API's schema does. */
export function weightsOf(partial: Partial<ChannelWeights>): ChannelWeights {
  return { ...none, ...partial };
}

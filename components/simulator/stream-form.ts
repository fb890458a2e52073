// The live-traffic settings as the form holds them (percentages, seconds, channel weights), their
// defaults and presets, and the generator settings the /api/simulator routes take.
import { MIX_PRESETS, type ChannelWeights } from '../../lib/simulator/channel-mix.ts';

export interface StreamForm {
  rate: number;
  users: number;
  products: number;
  checkoutPercent: number;
  clickToCheckoutMinSec: number;
  clickToCheckoutMaxSec: number;
  outOfOrderPercent: number;
  latePercent: number;
  duplicatePercent: number;
  malformedPercent: number;
  renameEverySec: number;
  /** Relative weights per channel (the presets' are percentages); direct only: plain URLs. */
  channelWeights: ChannelWeights;
}

/** The form's number fields (the channel weights have their own). */
export type NumericStreamKey = Exclude<keyof StreamForm, 'channelWeights'>;

/** The traffic's shape; the traffic presets set these and leave the channel mix alone. */
const defaultTraffic: Omit<StreamForm, 'channelWeights'> = {
  rate: 50,
  users: 100,
  products: 50,
  checkoutPercent: 30,
  clickToCheckoutMinSec: 5,
  clickToCheckoutMaxSec: 600,
  outOfOrderPercent: 5,
  latePercent: 0,
  duplicatePercent: 1,
  malformedPercent: 0,
  renameEverySec: 10,
};

export const defaultStreamForm: StreamForm = {
  ...defaultTraffic,
  channelWeights: MIX_PRESETS.balanced,
};

export const streamPresets: { name: string; hint: string; form: Partial<StreamForm> }[] = [
  { name: 'Gentle', hint: '50 events/s, clean', form: { ...defaultTraffic } },
  {
    name: 'Messy',
    hint: '200 events/s with late, duplicate and malformed events',
    form: {
      rate: 200,
      latePercent: 2,
      duplicatePercent: 3,
      malformedPercent: 2,
      outOfOrderPercent: 10,
    },
  },
  {
    name: 'Busy',
    hint: '2,000 events/s over 10,000 users',
    form: { rate: 2000, users: 10_000, products: 500, latePercent: 0, malformedPercent: 0 },
  },
];

/** The generator settings shared by live traffic and the backfill, as the API takes them. */
export function streamBody(f: StreamForm) {
  return {
    users: f.users,
    products: f.products,
    checkoutProbability: f.checkoutPercent / 100,
    clickToCheckoutSec: { min: f.clickToCheckoutMinSec, max: f.clickToCheckoutMaxSec },
    outOfOrderShare: f.outOfOrderPercent / 100,
    lateShare: f.latePercent / 100,
    duplicateShare: f.duplicatePercent / 100,
    malformedShare: f.malformedPercent / 100,
    channelMix: f.channelWeights,
  };
}

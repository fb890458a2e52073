import { describe, expect, it } from 'vitest';
import { CHANNELS, campaignOf, channelOf } from '../domain/channel.ts';
import { CampaignUrls, SESSION_TIMEOUT_MS, plainProductUrl } from './campaign-urls.ts';
import {
  MIX_CHANNELS,
  MIX_PRESETS,
  channelShares,
  weightsOf,
  type ChannelWeights,
} from './channel-mix.ts';
import {
  StreamGenerator,
  defaultGeneratorSettings,
  type GeneratedMessage,
} from './stream-generator.ts';

const T0 = Date.UTC(2026, 10, 30, 12);

/** One hour of a generator's stream at 20 clicks/s of event time (72,000 clicks). */
function hourOfStream(channelMix: ChannelWeights | undefined, seed = 11): GeneratedMessage[] {
  const key = `${JSON.stringify(channelMix)}/${seed}`;
  const cached = streams.get(key);
  if (cached) return cached;
  const stream = freshHourOfStream(channelMix, seed);
  streams.set(key, stream);
  return stream;
}
const streams = new Map<string, GeneratedMessage[]>();

function freshHourOfStream(
  channelMix: ChannelWeights | undefined,
  seed: number,
  minutes = 60,
): GeneratedMessage[] {
  const generator = new StreamGenerator(
    { ...defaultGeneratorSettings, duplicateShare: 0, channelMix },
    seed,
  );
  const out: GeneratedMessage[] = [];
  for (let t = T0; t < T0 + minutes * 60_000; t += 1_000) out.push(...generator.emit(t, 20));
  return out;
}

/** A stream as one string: comparing 100,000 messages with toEqual is slow. */
const fingerprint = (messages: GeneratedMessage[]) =>
  messages.map((m) => `${m.topic} ${m.kind} ${m.eventTime} ${m.channel} ${m.value}`).join('\n');

interface SentClick {
  url: string;
  user_id: number;
  product_id: string;
  datetime_occured: string;
}

const clicksOf = (messages: GeneratedMessage[]) =>
  messages
    .filter((m) => m.topic === 'clicks')
    .map((m) => ({ ...(JSON.parse(m.value) as SentClick), generated: m.channel }));

/** Share of clicks per channel as channelOf reads their URLs. */
function classifiedShares(urls: string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(CHANNELS.map((c) => [c, 0]));
  for (const url of urls) counts[channelOf(url)]! += 1;
  return Object.fromEntries(CHANNELS.map((c) => [c, counts[c]! / urls.length]));
}

// Each stream is 72,000 clicks (generated once, then cached): generous time on a loaded machine.
describe('generated campaign URLs', { timeout: 60_000 }, () => {
  it('the mixable channels are every channel but other', () => {
    expect([...MIX_CHANNELS, 'other'].sort()).toEqual([...CHANNELS].sort());
  });

  it.each([
    ['balanced', MIX_PRESETS.balanced],
    ['paid-heavy', MIX_PRESETS['paid-heavy']],
    ['custom: email and referral 1:3', weightsOf({ email: 1, referral: 3 })],
  ])('classify (channelOf) into the %s mix within 1.5 points', (_name, weights) => {
    const clicks = clicksOf(hourOfStream(weights));
    expect(clicks.length).toBe(72_000);
    const shares = classifiedShares(clicks.map((c) => c.url));
    const expected = channelShares(weights);
    for (const channel of MIX_CHANNELS) {
      expect(Math.abs(shares[channel]! - expected[channel]), channel).toBeLessThan(0.015);
      // A channel without weight gets no click at all.
      if (expected[channel] === 0) expect(shares[channel], channel).toBe(0);
    }
    expect(shares.other).toBe(0);
  });

  it('every URL classifies as the channel it was made for, with a named campaign', () => {
    const clicks = clicksOf(hourOfStream(MIX_PRESETS['paid-heavy']));
    const campaigns = new Map<string, Set<string>>();
    const wrong: string[] = [];
    for (const click of clicks) {
      const product = plainProductUrl(Number(click.product_id));
      if (channelOf(click.url) !== click.generated || !click.url.startsWith(product))
        wrong.push(`${click.url} (made for ${click.generated})`);
      const campaign = campaignOf(click.url);
      if (campaign !== null) {
        const seen = campaigns.get(click.generated!) ?? new Set<string>();
        campaigns.set(click.generated!, seen.add(campaign));
      }
    }
    expect(wrong).toEqual([]);
    // A few named campaigns per channel; direct, organic search and referral carry none.
    expect(Object.fromEntries([...campaigns].map(([c, names]) => [c, names.size]))).toEqual({
      paid_search: 3,
      display: 2,
      paid_social: 3,
      organic_social: 2,
      email: 3,
      affiliate: 1,
    });
  });

  it('paid clicks carry their ad platform click id', () => {
    const urls = new CampaignUrls(weightsOf({ paid_search: 1 }), 3);
    const url = urls.click(1, 7, T0).url;
    expect(url).toMatch(
      /^https:\/\/shop\.example\.com\/products\/7\?utm_source=(google|bing)&utm_medium=cpc&utm_campaign=[a-z-]+&(gclid|msclkid)=[\w-]{22}$/,
    );
    expect(channelOf(url)).toBe('paid_search');
  });

  it('the plain preset sends the original generator stream, every click direct', () => {
    const plain = hourOfStream(MIX_PRESETS.plain);
    expect(fingerprint(plain)).toBe(fingerprint(hourOfStream(undefined)));
    const clicks = clicksOf(plain);
    expect(clicks.every((c) => c.url === plainProductUrl(Number(c.product_id)))).toBe(true);
    expect(classifiedShares(clicks.map((c) => c.url)).direct).toBe(1);
  });

  it('a mix changes only the URLs: the rest of a seeded stream stays the same', () => {
    const withoutUrl = (messages: GeneratedMessage[]) =>
      fingerprint(
        messages.map((m) => ({
          ...m,
          channel: undefined,
          value: m.value.replace(/"url":"[^"]*"/, '"url":""'),
        })),
      );
    expect(withoutUrl(hourOfStream(MIX_PRESETS.balanced))).toBe(
      withoutUrl(hourOfStream(MIX_PRESETS.plain)),
    );
  });

  it('is deterministic under the seed', () => {
    const tenMinutes = (seed: number) =>
      fingerprint(freshHourOfStream(MIX_PRESETS.balanced, seed, 10));
    expect(tenMinutes(5)).toBe(tenMinutes(5));
    expect(tenMinutes(5)).not.toBe(tenMinutes(6));
  });

  it("one user's clicks on one product within the hour come from several channels", () => {
    const clicks = clicksOf(hourOfStream(MIX_PRESETS.balanced));
    const byPair = new Map<string, string[]>();
    for (const c of clicks) {
      const key = `${c.user_id}/${c.product_id}`;
      byPair.set(key, [...(byPair.get(key) ?? []), channelOf(c.url)]);
    }
    const repeated = [...byPair.values()].filter((channels) => channels.length > 1);
    const firstDiffersFromLast = repeated.filter((ch) => ch[0] !== ch.at(-1)).length;
    expect(repeated.length).toBeGreaterThan(1_000);
    // Independent draws from 'balanced' would differ ~77% of the time; sessions keep some.
    expect(firstDiffersFromLast / repeated.length).toBeGreaterThan(0.5);
  });

  it('a session keeps its channel about half the time, and a new session draws afresh', () => {
    const urls = new CampaignUrls(MIX_PRESETS.balanced, 9);
    let kept = 0;
    let keptAfterTimeout = 0;
    const n = 20_000;
    for (let user = 0; user < n; user++) {
      const first = urls.click(user, 1, T0);
      if (urls.click(user, 2, T0 + 60_000).channel === first.channel) kept++;
      const later = urls.click(user, 3, T0 + 60_000 + SESSION_TIMEOUT_MS + 1);
      if (later.channel === first.channel) keptAfterTimeout++;
    }
    // Kept: 0.5 + 0.5 × P(same channel drawn again) ≈ 0.5 + 0.5 × 0.22.
    const again = MIX_CHANNELS.reduce((p, c) => p + channelShares(MIX_PRESETS.balanced)[c] ** 2, 0);
    expect(kept / n).toBeCloseTo(0.5 + 0.5 * again, 1);
    expect(keptAfterTimeout / n).toBeLessThan(0.5);
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_LIVE_CAMPAIGN_CHARS, originTag, parseOriginTag } from './click-origin.ts';

describe('click origin tags', () => {
  it('carry the channel and campaign of the URL, and read back', () => {
    const url = 'https://shop.example.com/p/1?utm_source=google&utm_medium=cpc&utm_campaign=spring';
    expect(parseOriginTag(originTag(url))).toEqual({ channel: 'paid_search', campaign: 'spring' });
    expect(parseOriginTag(originTag('https://shop.example.com/products/7'))).toEqual({
      channel: 'direct',
      campaign: null,
    });
  });

  it('read no origin from no click or an untagged click', () => {
    expect(parseOriginTag(null)).toEqual({ channel: null, campaign: null });
    expect(parseOriginTag('')).toEqual({ channel: null, campaign: null });
  });

  it('cut a hostile campaign to a bounded length', () => {
    const url = `https://x/?utm_source=news&utm_medium=email&utm_campaign=${'c'.repeat(100_000)}`;
    const { channel, campaign } = parseOriginTag(originTag(url));
    expect(channel).toBe('email');
    expect(campaign).toHaveLength(MAX_LIVE_CAMPAIGN_CHARS);
    // Never half of a surrogate pair at the cut.
    const emoji = `https://x/?utm_source=a&utm_medium=email&utm_campaign=${'c'.repeat(MAX_LIVE_CAMPAIGN_CHARS - 1)}😀`;
    const cutAtPair = parseOriginTag(originTag(emoji)).campaign!;
    expect(cutAtPair).toBe('c'.repeat(MAX_LIVE_CAMPAIGN_CHARS - 1));
    expect(/[\ud800-\udbff]$/.test(cutAtPair)).toBe(false);
  });
});

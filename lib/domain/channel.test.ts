import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNELS, campaignOf, channelOf } from './channel.ts';

// The one case table shared with dbt's test of the `channel_of` macro (dbt/seeds/channel_cases.csv):
// url, channel, campaign (empty = null). No field holds a comma, so a split reads it.
const caseTable = readFileSync(
  new URL('../../dbt/seeds/channel_cases.csv', import.meta.url),
  'utf8',
);
const [header, ...rows] = caseTable.trimEnd().split('\n');
const cases = rows.map((line) => {
  const fields = line.split(',');
  if (fields.length !== 3) throw new Error(`channel_cases.csv: not 3 fields: ${line}`);
  const [url, channel, campaign] = fields as [string, string, string];
  return { url, channel, campaign: campaign === '' ? null : campaign };
});

describe('channel case table', () => {
  it('has the header and at least one case per channel', () => {
    expect(header).toBe('url,channel,campaign');
    for (const channel of CHANNELS) expect(cases.map((c) => c.channel)).toContain(channel);
  });

  it.each(cases)(
    'channelOf($url) is $channel, campaignOf is $campaign',
    ({ url, channel, campaign }) => {
      expect(channelOf(url)).toBe(channel);
      expect(campaignOf(url)).toBe(campaign);
    },
  );
});

describe('channelOf', () => {
  it('calls the original generator plain product URLs direct', () => {
    for (const id of ['p-1', '42', 'a b', 'é']) {
      expect(channelOf(`https://shop.example.com/products/${id}`)).toBe('direct');
    }
  });

  it('lets utm_medium decide over an ad click id', () => {
    expect(channelOf('https://s/p?fbclid=x&utm_source=facebook&utm_medium=social')).toBe(
      'organic_social',
    );
    expect(channelOf('https://s/p?fbclid=x&utm_source=facebook')).toBe('paid_social');
  });

  it('reads the first occurrence of a parameter, even when it is empty', () => {
    expect(channelOf('https://s/p?utm_medium=&utm_medium=email')).toBe('direct');
    expect(campaignOf('https://s/p?utm_campaign=a&utm_campaign=b')).toBe('a');
  });
});

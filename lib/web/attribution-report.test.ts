// The pure parts of the attribution page's reads: the day-range input, pivoting (model, channel)
// sums into per-channel rows with shifts against first click, and one checkout's credits by click.
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTION_MODELS,
  UNKNOWN_CHANNEL_LABEL,
  channelLabel,
  compareCampaigns,
  compareModels,
  creditsByClick,
  parseAttributionRange,
} from './attribution-report.ts';

describe('parseAttributionRange', () => {
  it.each([
    [{}, {}],
    [{ from: '2026-11-01' }, { from: '2026-11-01' }],
    [
      { from: '2026-11-01', to: '2026-11-30' },
      { from: '2026-11-01', to: '2026-11-30' },
    ],
    [
      { from: '2026-11-30', to: '2026-11-30' },
      { from: '2026-11-30', to: '2026-11-30' },
    ],
    [{ from: '', to: '' }, {}],
  ])('accepts %j', (params, range) => {
    const parsed = parseAttributionRange(params);
    expect(parsed).toEqual({ ok: true, range });
  });

  it.each([
    [{ from: 'yesterday' }, 'from: a day is written YYYY-MM-DD'],
    [{ to: '2026-02-30' }, 'to: not a calendar day'],
    [{ from: '2026-13-01' }, 'from: not a calendar day'],
    [{ from: '2026-11-30', to: '2026-11-01' }, 'from: from must not be after to'],
    [{ model: 'linear' }, 'Unrecognized key'],
  ])('refuses %j with a message', (params, message) => {
    const parsed = parseAttributionRange(params);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toMatch(/^Bad query: /);
      expect(parsed.error).toContain(message);
    }
  });
});

describe('channelLabel', () => {
  it('spells channels with spaces, and null as the unknown channel', () => {
    expect(channelLabel('paid_search')).toBe('paid search');
    expect(channelLabel('direct')).toBe('direct');
    expect(channelLabel(null)).toBe(UNKNOWN_CHANNEL_LABEL);
  });
});

describe('compareModels', () => {
  it('is empty with zero totals when nothing was published', () => {
    const { channels, totals } = compareModels([]);
    expect(channels).toEqual([]);
    expect(Object.keys(totals)).toEqual(ATTRIBUTION_MODELS.map((m) => m.key));
    expect(Object.values(totals).every((v) => v === 0)).toBe(true);
  });

  it('pivots by channel, shifts against first click in exact cents, orders by first click', () => {
    // One $100.01 checkout with an email click then a paid-search click, one $10 direct checkout.
    const rows = [
      { model: 'first_click', channel: 'email', cents: 10001 },
      { model: 'last_click', channel: 'paid_search', cents: 10001 },
      { model: 'linear', channel: 'email', cents: 5001 },
      { model: 'linear', channel: 'paid_search', cents: 5000 },
      { model: 'time_decay', channel: 'email', cents: 3334 },
      { model: 'time_decay', channel: 'paid_search', cents: 6667 },
      { model: 'position_based', channel: 'email', cents: 5001 },
      { model: 'position_based', channel: 'paid_search', cents: 5000 },
      ...ATTRIBUTION_MODELS.map((m) => ({ model: m.key, channel: 'direct', cents: 1000 })),
    ];
    const { channels, totals } = compareModels(rows);
    expect(channels.map((c) => c.channel)).toEqual(['email', 'direct', 'paid_search']);
    const [email, direct, paid] = channels;
    expect(email!.revenue).toEqual({
      first_click: 100.01,
      last_click: 0,
      linear: 50.01,
      time_decay: 33.34,
      position_based: 50.01,
    });
    expect(email!.shift).toEqual({
      first_click: 0,
      last_click: -100.01,
      linear: -50,
      time_decay: -66.67,
      position_based: -50,
    });
    expect(paid!.shift.last_click).toBe(100.01);
    expect(paid!.shift.time_decay).toBe(66.67);
    expect(direct!.shift).toEqual({
      first_click: 0,
      last_click: 0,
      linear: 0,
      time_decay: 0,
      position_based: 0,
    });
    // Every model credits the same revenue; shifts across channels cancel out.
    for (const m of ATTRIBUTION_MODELS) expect(totals[m.key]).toBe(110.01);
    for (const m of ATTRIBUTION_MODELS) {
      const sumCents = channels.reduce((n, c) => n + Math.round(c.shift[m.key] * 100), 0);
      expect(sumCents).toBe(0);
    }
  });

  it('keeps the channel-less rows apart under their own label, and ignores unknown models', () => {
    const { channels, totals } = compareModels([
      { model: 'first_click', channel: null, cents: 500 },
      { model: 'first_click', channel: 'email', cents: 700 },
      { model: 'u_shaped', channel: 'email', cents: 99_999 },
    ]);
    expect(channels.map((c) => c.label)).toEqual(['email', UNKNOWN_CHANNEL_LABEL]);
    expect(totals.first_click).toBe(12);
  });

  it('orders channels without first-click revenue by their largest revenue, then by name', () => {
    const { channels } = compareModels([
      { model: 'linear', channel: 'referral', cents: 100 },
      { model: 'last_click', channel: 'affiliate', cents: 100 },
      { model: 'last_click', channel: 'display', cents: 300 },
    ]);
    expect(channels.map((c) => c.channel)).toEqual(['display', 'affiliate', 'referral']);
  });
});

describe('compareCampaigns', () => {
  it('compares campaigns within their channel, keeps the top ones, shifts in cents', () => {
    const rows = [
      { model: 'first_click', channel: 'email', campaign: 'spring', cents: 5000 },
      { model: 'linear', channel: 'email', campaign: 'spring', cents: 3000 },
      // The same campaign name on another channel is another campaign.
      { model: 'first_click', channel: 'paid_search', campaign: 'spring', cents: 7000 },
      { model: 'last_click', channel: 'display', campaign: 'retarget', cents: 9000 },
      { model: 'first_click', channel: 'email', campaign: 'tiny', cents: 1 },
    ];
    const top = compareCampaigns(rows, 3);
    expect(top.map((c) => [c.channel, c.campaign])).toEqual([
      ['paid_search', 'spring'],
      ['email', 'spring'],
      ['email', 'tiny'],
    ]);
    expect(top[1]!.channelLabel).toBe('email');
    expect(top[1]!.revenue.linear).toBe(30);
    expect(top[1]!.shift.linear).toBe(-20);
    expect(compareCampaigns(rows, 10).map((c) => c.campaign)).toEqual([
      'spring',
      'spring',
      'tiny',
      'retarget',
    ]);
    expect(compareCampaigns([], 5)).toEqual([]);
  });
});

describe('creditsByClick', () => {
  const base = { weight: 1, cents: 0, channel: 'email', campaign: 'spring' };
  it('gives one row per click, oldest first (ties by click id), with each model’s credit', () => {
    const clicks = creditsByClick([
      {
        ...base,
        clickId: 'b',
        clickTime: '2026-11-24T10:00:00.000Z',
        model: 'linear',
        weight: 0.5,
        cents: 2500,
      },
      {
        ...base,
        clickId: 'a',
        clickTime: '2026-11-24T10:00:00.000Z',
        model: 'linear',
        weight: 0.5,
        cents: 2500,
      },
      {
        ...base,
        clickId: 'a',
        clickTime: '2026-11-24T10:00:00.000Z',
        model: 'first_click',
        cents: 5000,
      },
      {
        ...base,
        clickId: 'z',
        clickTime: '2026-11-24T09:30:00.000Z',
        model: 'last_click',
        channel: null,
        cents: 0,
        weight: 0,
      },
      { ...base, clickId: 'a', clickTime: '2026-11-24T10:00:00.000Z', model: 'unknown', cents: 1 },
    ]);
    expect(clicks.map((c) => c.clickId)).toEqual(['z', 'a', 'b']);
    expect(clicks[0]!.channelLabel).toBe(UNKNOWN_CHANNEL_LABEL);
    expect(clicks[1]!.credits).toEqual({
      linear: { weight: 0.5, amount: 25 },
      first_click: { weight: 1, amount: 50 },
    });
    expect(clicks[2]!.credits.first_click).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { MIX_PRESETS, weightsOf } from '../simulator/channel-mix.ts';
import { encodeCursor } from './keyset-cursor.ts';
import {
  LIMITS,
  backfillSchema,
  checkoutIdSchema,
  checkoutQuerySchema,
  deadLetterQuerySchema,
  formatIssues,
  liveTrafficSchema,
  loginSchema,
  searchParamsObject,
  seedSchema,
  stopSchema,
} from './schemas.ts';

function issues(
  schema: { safeParse(v: unknown): { success: boolean; error?: unknown } },
  value: unknown,
): string {
  const result = schema.safeParse(value);
  if (result.success) return '';
  return formatIssues(result.error as Parameters<typeof formatIssues>[0]);
}

describe('liveTrafficSchema', () => {
  it('fills defaults for an empty body', () => {
    expect(liveTrafficSchema.parse({})).toMatchObject({
      rate: 50,
      users: 100,
      products: 50,
      checkoutProbability: 0.3,
      clickToCheckoutSec: { min: 5, max: 1200 },
      renameEverySec: 10,
    });
  });

  it.each([
    [{ rate: LIMITS.maxEventsPerSec + 1 }, 'rate'],
    [{ rate: 0 }, 'rate'],
    [{ rate: '10' }, 'rate'],
    [{ rate: Number.NaN }, 'rate'],
    [{ users: 1.5 }, 'users'],
    [{ products: 0 }, 'products'],
    [{ checkoutProbability: 1.2 }, 'checkoutProbability'],
    [{ lateShare: 0.6 }, 'lateShare'],
    [{ malformedShare: -0.1 }, 'malformedShare'],
    [{ clickToCheckoutSec: { min: 10, max: 5 } }, 'min must not exceed max'],
    [{ clickToCheckoutSec: { min: 0, max: 99_999 } }, 'clickToCheckoutSec.max'],
    [{ extra: 1 }, 'extra'],
    [
      { rate: 20_000, checkoutProbability: 1, clickToCheckoutSec: { min: 0, max: 7200 } },
      'in memory',
    ],
  ])('refuses %j, naming %s', (body, mention) => {
    expect(issues(liveTrafficSchema, body)).toContain(mention);
  });

  it('accepts the limits themselves', () => {
    expect(
      liveTrafficSchema.safeParse({
        rate: LIMITS.maxEventsPerSec,
        checkoutProbability: 0.1,
        clickToCheckoutSec: { min: 0, max: 60 },
      }).success,
    ).toBe(true);
  });
});

describe('channelMix (live traffic and backfill)', () => {
  const mixOf = (channelMix: unknown) =>
    liveTrafficSchema.parse(channelMix === undefined ? {} : { channelMix }).channelMix;

  it('defaults to the balanced preset: campaign traffic', () => {
    expect(mixOf(undefined)).toEqual({ preset: 'balanced', weights: MIX_PRESETS.balanced });
    expect(backfillSchema.parse({}).channelMix.preset).toBe('balanced');
  });

  it('takes a preset by name, or weights that it names when they equal a preset', () => {
    expect(mixOf('plain')).toEqual({ preset: 'plain', weights: MIX_PRESETS.plain });
    expect(mixOf('paid-heavy').weights).toEqual(MIX_PRESETS['paid-heavy']);
    // The plain preset at any scale, channels left out weighing 0.
    expect(mixOf({ direct: 3 })).toEqual({ preset: 'plain', weights: weightsOf({ direct: 3 }) });
    const balancedShares = Object.fromEntries(
      Object.entries(MIX_PRESETS.balanced).map(([c, w]) => [c, w / 100]),
    );
    expect(mixOf(balancedShares).preset).toBe('balanced');
    expect(mixOf({ email: 1, referral: 3 })).toEqual({
      preset: 'custom',
      weights: weightsOf({ email: 1, referral: 3 }),
    });
  });

  it.each([
    [
      { tv: 1, direct: 1 },
      'channelMix.tv: unknown channel "tv": channels are direct, organic_search',
    ],
    [{ other: 1 }, 'unknown channel "other"'],
    [{ direct: -1, email: 1 }, 'channelMix.direct: a weight must be a number from 0'],
    [{ direct: '5' }, 'channelMix.direct: a weight must be a number'],
    [{ direct: 1e7 }, 'channelMix.direct: a weight must be a number from 0 to 1,000,000'],
    [{ direct: 0, email: 0 }, 'channelMix: the weights must not all be 0'],
    [{}, 'channelMix: the weights must not all be 0'],
    [
      'organic',
      'channelMix: unknown preset "organic": expected one of balanced, paid-heavy, plain',
    ],
    [42, 'channelMix: expected a preset name'],
    [['direct'], 'channelMix: expected a preset name'],
  ])('refuses %j: %s', (channelMix, message) => {
    expect(issues(liveTrafficSchema, { channelMix })).toContain(message);
    expect(issues(backfillSchema, { channelMix })).toContain(message);
  });
});

describe('other bodies', () => {
  it('backfill: caps hours and the total event count', () => {
    expect(backfillSchema.parse({}).hours).toBe(24);
    expect(issues(backfillSchema, { hours: 169 })).toContain('hours');
    expect(issues(backfillSchema, { hours: 168, rate: 5000 })).toContain('more than');
  });

  it('seed, stop and login', () => {
    expect(seedSchema.parse({})).toEqual({ users: 100, products: 50 });
    expect(issues(seedSchema, { users: LIMITS.maxUsers + 1 })).toContain('users');
    expect(stopSchema.parse({})).toEqual({ what: 'all' });
    expect(issues(stopSchema, { what: 'nothing' })).toContain('what');
    expect(issues(loginSchema, {})).toContain('token');
    expect(issues(loginSchema, { token: '' })).toContain('admin token is required');
  });
});

describe('checkoutQuerySchema', () => {
  const parse = (query: string) =>
    checkoutQuerySchema.safeParse(searchParamsObject(new URLSearchParams(query)));

  it('defaults, and empty values mean no filter', () => {
    const result = parse('user=&product=&from=&to=&after=');
    expect(result.success && result.data).toEqual({
      attributed: 'any',
      state: 'any',
      sort: 'desc',
      limit: 50,
    });
  });

  it('reads filters, times (UTC without a zone) and cursors', () => {
    const after = encodeCursor({ t: 1_700_000_000_123, id: 'chk-1' });
    const result = parse(
      `user=42&product=7&attributed=no&state=final&from=2026-11-24T10:00&to=2026-11-24T11:00:30.5Z&sort=asc&limit=200&after=${after}`,
    );
    expect(result.success && result.data).toEqual({
      user: '42',
      product: '7',
      attributed: 'no',
      state: 'final',
      from: Date.parse('2026-11-24T10:00:00Z'),
      to: Date.parse('2026-11-24T11:00:30.500Z'),
      sort: 'asc',
      limit: 200,
      after: { t: 1_700_000_000_123, id: 'chk-1' },
    });
    const day = parse('from=2026-11-24');
    expect(day.success && day.data.from).toBe(Date.parse('2026-11-24T00:00:00Z'));
  });

  it.each([
    ['limit=201', 'limit'],
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['attributed=maybe', 'attributed'],
    ['sort=up', 'sort'],
    ['from=yesterday', 'from'],
    ['from=2026-13-45T10:00', 'from'],
    ['after=%%%', 'after'],
    [`after=${Buffer.from('"x"').toString('base64url')}`, 'after'],
    [
      `after=${encodeCursor({ t: 1, id: 'a' })}&before=${encodeCursor({ t: 1, id: 'a' })}`,
      'not both',
    ],
    ['from=2026-11-24T12:00Z&to=2026-11-24T11:00Z', 'from must not be after to'],
    [`user=${'x'.repeat(101)}`, 'user'],
  ])('refuses %s', (query, mention) => {
    const result = parse(query);
    expect(result.success).toBe(false);
    if (!result.success) expect(formatIssues(result.error)).toContain(mention);
  });
});

describe('deadLetterQuerySchema', () => {
  it('pages by id and caps the page size', () => {
    expect(deadLetterQuerySchema.parse({ before: '123', limit: '10' })).toEqual({
      before: '123',
      limit: 10,
    });
    expect(deadLetterQuerySchema.parse({ before: '' })).toEqual({ limit: 25 });
    expect(deadLetterQuerySchema.safeParse({ before: '1; DROP TABLE x' }).success).toBe(false);
    expect(deadLetterQuerySchema.safeParse({ limit: '201' }).success).toBe(false);
  });

  it('answers out-of-range ids and too-short searches with a 400, not a database error', () => {
    expect(deadLetterQuerySchema.safeParse({ before: '9223372036854775807' }).success).toBe(true);
    expect(deadLetterQuerySchema.safeParse({ before: '9223372036854775808' }).success).toBe(false);
    expect(deadLetterQuerySchema.safeParse({ before: '9999999999999999999' }).success).toBe(false);
    expect(deadLetterQuerySchema.safeParse({ q: 'ab' }).success).toBe(false);
    expect(deadLetterQuerySchema.parse({ q: 'abc' }).q).toBe('abc');
  });
});

describe('checkout times out of the database range', () => {
  it.each(['0000-01-01', '-000001-01-01'])('refuses from=%s', (from) => {
    expect(checkoutQuerySchema.safeParse({ from }).success).toBe(false);
  });

  it('refuses a cursor dated past year 9999', () => {
    const cursor = Buffer.from(JSON.stringify([8_000_000_000_000_000, 'x'])).toString('base64url');
    expect(checkoutQuerySchema.safeParse({ after: cursor }).success).toBe(false);
  });
});

describe('text PostgreSQL cannot store (NUL, unpaired surrogates): a 400, not a database error', () => {
  it.each(['a\u0000b', '\ud800', 'x\udc00'])(
    'refuses %j as a checkout id, filter or search',
    (bad) => {
      expect(checkoutIdSchema.safeParse(bad).success).toBe(false);
      expect(checkoutQuerySchema.safeParse({ product: bad }).success).toBe(false);
      expect(checkoutQuerySchema.safeParse({ user: bad }).success).toBe(false);
      expect(deadLetterQuerySchema.safeParse({ q: `${bad}xyz` }).success).toBe(false);
      expect(deadLetterQuerySchema.safeParse({ topic: bad }).success).toBe(false);
      const cursor = encodeCursor({ t: 0, id: bad });
      expect(checkoutQuerySchema.safeParse({ after: cursor }).success).toBe(false);
    },
  );

  it('takes any other text, emoji included', () => {
    expect(checkoutIdSchema.safeParse('c-😀-é').success).toBe(true);
    expect(checkoutQuerySchema.safeParse({ product: 'lamp 😀' }).success).toBe(true);
  });
});

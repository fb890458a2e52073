// Input schemas of every web API route (zod), with the limits that keep one request from hurting
// the system: rates, sizes, page sizes. Routes parse with these and answer 400 with
// `formatIssues` on failure. Pure: the simulator page imports the same limits for its form.
import { z } from 'zod';
import { isStorableText, NOT_STORABLE_MESSAGE } from '../domain/storable-text.ts';
import {
  MIX_CHANNELS,
  MIX_PRESETS,
  MIX_PRESET_NAMES,
  presetOf,
  weightsOf,
  type ChannelMix,
  type MixChannel,
  type MixPresetName,
} from '../simulator/channel-mix.ts';
import { decodeCursor, type CheckoutCursor } from './keyset-cursor.ts';

export const LIMITS = {
  maxEventsPerSec: 20_000,
  maxBackfillEventsPerSec: 5_000,
  maxBackfillHours: 168,
  maxBackfillEvents: 50_000_000,
  maxUsers: 1_000_000,
  maxProducts: 100_000,
  maxShare: 0.5,
  maxClickToCheckoutSec: 7_200,
  /** Checkouts the generator may hold waiting for their event time (memory). */
  maxPendingCheckouts: 2_000_000,
  maxPageSize: 200,
  /** Channel weights are relative; a cap keeps their sum finite. */
  maxChannelWeight: 1_000_000,
} as const;

/** `path: message; path: message` — what a 400 answer says. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

const share = z.number().min(0).max(LIMITS.maxShare);

const isPresetName = (v: string): v is MixPresetName =>
  (MIX_PRESET_NAMES as readonly string[]).includes(v);
const isMixChannel = (v: string): v is MixChannel =>
  (MIX_CHANNELS as readonly string[]).includes(v);

/**
 * The channels clicks come from: a preset's name ('balanced', 'paid-heavy', 'plain') or weights
 * per channel (any scale, each 0 to maxChannelWeight, not all 0; a channel left out weighs 0). Answers with the
 * weights and the preset they equal, so the status names what runs. Default 'balanced'.
 */
export const channelMixSchema = z
  .unknown()
  .optional()
  .transform((value, ctx): ChannelMix => {
    if (value === undefined) return { preset: 'balanced', weights: MIX_PRESETS.balanced };
    if (typeof value === 'string') {
      if (isPresetName(value)) return { preset: value, weights: MIX_PRESETS[value] };
      ctx.addIssue({
        code: 'custom',
        message: `unknown preset "${value}": expected one of ${MIX_PRESET_NAMES.join(', ')}, or weights per channel`,
      });
      return z.NEVER;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a preset name (${MIX_PRESET_NAMES.join(', ')}) or weights per channel`,
      });
      return z.NEVER;
    }
    const weights: Partial<Record<MixChannel, number>> = {};
    for (const [channel, weight] of Object.entries(value)) {
      if (!isMixChannel(channel)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown channel "${channel}": channels are ${MIX_CHANNELS.join(', ')}`,
          path: [channel],
        });
      } else if (
        typeof weight !== 'number' ||
        !(weight >= 0 && weight <= LIMITS.maxChannelWeight)
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `a weight must be a number from 0 to ${LIMITS.maxChannelWeight.toLocaleString('en-US')}`,
          path: [channel],
        });
      } else weights[channel] = weight;
    }
    if (ctx.issues.length > 0) return z.NEVER;
    const full = weightsOf(weights);
    if (!MIX_CHANNELS.some((c) => full[c] > 0)) {
      ctx.addIssue({ code: 'custom', message: 'the weights must not all be 0' });
      return z.NEVER;
    }
    return { preset: presetOf(full), weights: full };
  });

/** Shape of the generated stream, shared by live traffic and backfill. */
const streamShape = {
  users: z.number().int().min(1).max(LIMITS.maxUsers).default(100),
  products: z.number().int().min(1).max(LIMITS.maxProducts).default(50),
  checkoutProbability: z.number().min(0).max(1).default(0.3),
  clickToCheckoutSec: z
    .strictObject({
      min: z.number().min(0).max(LIMITS.maxClickToCheckoutSec),
      max: z.number().min(0).max(LIMITS.maxClickToCheckoutSec),
    })
    .refine((r) => r.min <= r.max, { message: 'min must not exceed max' })
    .default({ min: 5, max: 1_200 }),
  outOfOrderShare: share.default(0.05),
  lateShare: share.default(0),
  duplicateShare: share.default(0.01),
  malformedShare: share.default(0),
  channelMix: channelMixSchema,
};

export const liveTrafficSchema = z
  .strictObject({
    /** Events (clicks and checkouts) per second. */
    rate: z.number().positive().max(LIMITS.maxEventsPerSec).default(50),
    ...streamShape,
    renameEverySec: z.number().min(0).max(3_600).default(10),
  })
  .refine(
    (s) =>
      (s.rate / (1 + s.checkoutProbability)) * s.checkoutProbability * s.clickToCheckoutSec.max <=
      LIMITS.maxPendingCheckouts,
    {
      message: `rate × checkout probability × longest click-to-checkout time would keep more than ${LIMITS.maxPendingCheckouts.toLocaleString('en-US')} checkouts waiting in memory: lower one of them`,
      path: ['rate'],
    },
  );

export type LiveTrafficSettings = z.infer<typeof liveTrafficSchema>;

export const backfillSchema = z
  .strictObject({
    hours: z.number().positive().max(LIMITS.maxBackfillHours).default(24),
    /** Events per second of event time (not of wall-clock time: the backfill runs flat out). */
    rate: z.number().positive().max(LIMITS.maxBackfillEventsPerSec).default(5),
    ...streamShape,
  })
  .refine((s) => s.hours * 3_600 * s.rate <= LIMITS.maxBackfillEvents, {
    message: `hours × rate would write more than ${LIMITS.maxBackfillEvents.toLocaleString('en-US')} events: lower one of them`,
    path: ['rate'],
  });

export type BackfillSettings = z.infer<typeof backfillSchema>;

export const seedSchema = z.strictObject({
  users: z.number().int().min(1).max(LIMITS.maxUsers).default(100),
  products: z.number().int().min(1).max(LIMITS.maxProducts).default(50),
});

export const stopSchema = z.strictObject({
  what: z.enum(['live', 'backfill', 'all']).default('all'),
});

export const loginSchema = z.strictObject({
  token: z.string().min(1, 'the admin token is required').max(512),
});

/** Times the database can store and JavaScript can print: years 0001 to 9999, UTC. */
export const MIN_TIME_MS = -62_135_596_800_000; // 0001-01-01T00:00:00Z (Date.UTC maps year 1 to 1901)
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Empty query-string values mean "no filter". */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine(isStorableText, NOT_STORABLE_MESSAGE)
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v));

const optionalTime = z
  .string()
  .trim()
  .max(40)
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    // ISO 8601 (with or without zone; without one it is read as UTC, as the wire format does).
    if (
      !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v)
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected an ISO 8601 time, e.g. 2026-11-24T10:00Z',
      });
      return z.NEVER;
    }
    const iso = v.replace(' ', 'T');
    const ms = Date.parse(
      iso.length === 10 ? `${iso}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`,
    );
    if (Number.isNaN(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS) {
      ctx.addIssue({ code: 'custom', message: 'not a valid time (years 0001 to 9999)' });
      return z.NEVER;
    }
    return ms;
  });

const optionalCursor = z
  .string()
  .optional()
  .transform((v, ctx): CheckoutCursor | undefined => {
    if (v === undefined || v === '') return undefined;
    const cursor = decodeCursor(v);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', message: 'not a page cursor from this browser' });
      return z.NEVER;
    }
    return cursor;
  });

export const checkoutQuerySchema = z
  .object({
    user: optionalText(100),
    product: optionalText(100),
    attributed: z.enum(['any', 'yes', 'no']).default('any'),
    state: z.enum(['any', 'provisional', 'final']).default('any'),
    from: optionalTime,
    to: optionalTime,
    sort: z.enum(['desc', 'asc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(50),
    after: optionalCursor,
    before: optionalCursor,
  })
  .refine((q) => !(q.after && q.before), { message: 'give after or before, not both' })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

export type CheckoutQuery = z.infer<typeof checkoutQuerySchema>;

export const checkoutIdSchema = z
  .string()
  .min(1)
  .max(200)
  .refine(isStorableText, NOT_STORABLE_MESSAGE);

/** The largest PostgreSQL bigint: ids beyond it are a 400, not a database error. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

export const deadLetterQuerySchema = z.object({
  q: optionalText(200).refine((v) => v === undefined || [...v].length >= 3, {
    message: 'search for at least 3 characters',
  }),
  topic: optionalText(249),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(25),
  before: z
    .string()
    .regex(/^\d{1,19}$/, 'expected a dead-letter id')
    .refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= MAX_BIGINT, {
      message: 'expected a dead-letter id',
    })
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

export type DeadLetterQuery = z.infer<typeof deadLetterQuerySchema>;

/** The first value of each query parameter, as the schemas expect. */
export function searchParamsObject(
  params: URLSearchParams | Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (params instanceof URLSearchParams) {
    for (const [key, value] of params) if (!(key in out)) out[key] = value;
    return out;
  }
  for (const [key, value] of Object.entries(params)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[key] = first;
  }
  return out;
}

// Reads the speed-layer workers over HTTP: /metrics (asked for prom-client's JSON, see
// metric-samples.ts), /stats (JSON per partition) and /clicks (a key's retained clicks). WORKER_METRICS_URL lists each worker's
// /metrics URL; the other endpoints live on the same host and port. Every call has a timeout,
// and a worker that does not answer is reported as down, never thrown.
import { z } from 'zod';
import { samplesFromPromClient, type MetricSample } from './metric-samples.ts';

const statsSchema = z.object({
  partitions: z.array(
    z.object({
      partition: z.number().int(),
      watermark: z.number().nullable().optional(),
      keys: z.number().default(0),
      clicks: z.number().default(0),
      stateBytes: z.number().default(0),
      pendingCheckouts: z.number().default(0),
      nextOffsets: z.record(z.string(), z.string()).default({}),
    }),
  ),
  lastProgressAt: z.number().optional(),
});

export type WorkerStats = z.infer<typeof statsSchema>;

export interface WorkerScrape {
  url: string;
  at: number;
  up: boolean;
  error?: string;
  samples: MetricSample[];
  stats?: WorkerStats;
}

/** The workers' /metrics URLs from WORKER_METRICS_URL (comma-separated, blanks ignored). */
export function workerMetricsUrls(setting: string): string[] {
  return setting
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

/** Another endpoint of the worker whose /metrics URL is `metricsUrl`. */
export function workerEndpoint(
  metricsUrl: string,
  path: string,
  params: Record<string, string> = {},
): string {
  const url = new URL(metricsUrl);
  url.pathname = path;
  url.search = new URLSearchParams(params).toString();
  return url.toString();
}

async function fetchWithTimeout(
  url: string,
  timeoutMs: number,
  headers: HeadersInit = {},
): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs), cache: 'no-store', headers });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'no answer (timed out)';
    const cause = (error as Error & { cause?: { code?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the worker running?)';
    return error.message;
  }
  return String(error);
}

/** One worker's metrics and stats, fetched in parallel. */
export async function scrapeWorker(metricsUrl: string, timeoutMs = 800): Promise<WorkerScrape> {
  const at = Date.now();
  try {
    const [metrics, stats] = await Promise.all([
      fetchWithTimeout(metricsUrl, timeoutMs, { accept: 'application/json' }),
      fetchWithTimeout(workerEndpoint(metricsUrl, '/stats'), timeoutMs).catch(() => undefined),
    ]);
    if (!metrics.ok) throw new Error(`/metrics answered HTTP ${metrics.status}`);
    const samples = samplesFromPromClient(await metrics.json());
    let parsedStats: WorkerStats | undefined;
    if (stats?.ok) {
      const result = statsSchema.safeParse(await stats.json().catch(() => undefined));
      if (result.success) parsedStats = result.data;
    }
    return {
      url: metricsUrl,
      at,
      up: true,
      samples,
      ...(parsedStats ? { stats: parsedStats } : {}),
    };
  } catch (error) {
    return { url: metricsUrl, at, up: false, error: describe(error), samples: [] };
  }
}

const retainedClickSchema = z
  .object({
    clickId: z.string().optional(),
    click_id: z.string().optional(),
    time: z.union([z.number(), z.string()]),
  })
  .transform((c, ctx) => {
    const clickId = c.clickId ?? c.click_id;
    const time = typeof c.time === 'number' ? c.time : Date.parse(c.time);
    if (clickId === undefined || Number.isNaN(time)) {
      ctx.addIssue({ code: 'custom', message: 'a click needs clickId and a time' });
      return z.NEVER;
    }
    return { clickId, time };
  });

// The lead's endpoint returns the key's retained clicks; accept a bare list or { clicks: [...] }.
const retainedClicksSchema = z.union([
  z.array(retainedClickSchema),
  z.object({ clicks: z.array(retainedClickSchema) }).transform((o) => o.clicks),
]);

export interface RetainedClick {
  clickId: string;
  time: number;
}

export type RetainedClicksResult =
  | { status: 'ok'; clicks: RetainedClick[]; workersAsked: number }
  | { status: 'unavailable'; reason: string };

type WorkerAnswer = { clicks: RetainedClick[] } | { notHeld: true } | { error: string };

/** One worker's answer: its clicks, "not my partition" (404 with JSON), or why it failed. */
async function askWorker(
  metricsUrl: string,
  userId: string,
  productId: string,
  timeoutMs: number,
): Promise<WorkerAnswer> {
  try {
    const response = await fetchWithTimeout(
      workerEndpoint(metricsUrl, '/clicks', { userId, productId }),
      timeoutMs,
    );
    const body: unknown = await response.json().catch(() => undefined);
    // A worker answers 404 with a JSON error for a user whose partition it does not hold; an
    // older worker without the endpoint answers 404 in plain text.
    if (response.status === 404) {
      return body === undefined
        ? { error: 'the worker has no /clicks endpoint' }
        : { notHeld: true };
    }
    if (!response.ok) return { error: `HTTP ${response.status}` };
    const parsed = retainedClicksSchema.safeParse(body);
    return parsed.success ? { clicks: parsed.data } : { error: 'unexpected /clicks answer' };
  } catch (error) {
    return { error: describe(error) };
  }
}

/**
 * The retained clicks of (user, product), asked of every worker (only the one holding the user's
 * partition has them). Clicks older than the attributor's horizon (watermark − 1 h) are evicted,
 * so an empty list is normal for old checkouts.
 */
export async function fetchRetainedClicks(
  metricsUrls: readonly string[],
  userId: string,
  productId: string,
  timeoutMs = 1_500,
): Promise<RetainedClicksResult> {
  if (metricsUrls.length === 0) return { status: 'unavailable', reason: 'no worker is configured' };
  const answers = await Promise.all(
    metricsUrls.map((url) => askWorker(url, userId, productId, timeoutMs)),
  );
  const holders = answers.filter((a): a is { clicks: RetainedClick[] } => 'clicks' in a);
  if (holders.length === 0) {
    const errors = answers.flatMap((a) => ('error' in a ? [a.error] : []));
    return {
      status: 'unavailable',
      reason:
        errors.length > 0
          ? [...new Set(errors)].join('; ')
          : 'no worker holds this user’s partition right now (a rebalance may be under way)',
    };
  }
  const byId = new Map<string, RetainedClick>();
  for (const a of holders) for (const c of a.clicks) byId.set(c.clickId, c);
  return { status: 'ok', clicks: [...byId.values()], workersAsked: metricsUrls.length };
}

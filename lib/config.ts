// The one place that reads the environment. Every module receives a Config;
// a bad variable stops the start with its name and what was expected.
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parse } from 'dotenv';
import { z } from 'zod';
import { cronProblem } from './jobs/cron-pattern.ts';

/** The non-empty items of a comma-separated setting. */
export const listOf = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);

export const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgresql:// connection URL')
    .default('postgresql://clickstream:clickstream@127.0.0.1:54329/clickstream'),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, 'comma-separated host:port list')
    .default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).default('clickstream'),
  /** Prefix of the consumer groups (and snapshot keys): separate pipelines on one cluster. */
  CONSUMER_GROUP_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ -')
    .default('clickstream'),
  /** A worker that stops heartbeating loses its partitions after this long (broker minimum: 6 s). */
  KAFKA_SESSION_TIMEOUT_MS: int(6000, 3_600_000).default(30_000),
  CLICKS_TOPIC: z.string().min(1).default('clicks'),
  CHECKOUTS_TOPIC: z.string().min(1).default('checkouts'),
  TOPIC_PARTITIONS: int(1, 1000).default(6),
  TOPIC_REPLICATION_FACTOR: int(1, 10).default(1),
  PORT: int(1, 65535).default(3000),
  METRICS_PORT: int(0, 65535).default(9464),
  /** The jobs worker's /healthz (and its identity, which the browser tests check). */
  JOBS_PORT: int(0, 65535).default(9465),
  /** Where the web app reads the workers' live figures (comma-separated /metrics URLs). */
  WORKER_METRICS_URL: z.string().min(1).default('http://127.0.0.1:9464/metrics'),
  ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  ALLOWED_LATENESS_MS: int(0).default(15_000),
  /**
   * An event time more than this far ahead of the reading process's clock is bad input
   * (dead letter `future_timestamp`): one far-future event would move the watermark past everything.
   */
  MAX_FUTURE_SKEW_MS: int(0).default(60_000),
  IDLE_TIMEOUT_MS: int(100).default(10_000),
  SNAPSHOT_INTERVAL_MS: int(100).default(5_000),
  SINK_FLUSH_INTERVAL_MS: int(5).default(100),
  LAKE_URI: z.string().min(1).default('./data/lake'),
  /** The jobs worker's daily lake export schedule (UTC), checked by croner at start. */
  LAKE_EXPORT_CRON: z
    .string()
    .min(1)
    .default('0 2 * * *')
    .superRefine((pattern, ctx) => {
      const problem = cronProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', message: `a cron expression (${problem})` });
    }),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Address the web server listens on: loopback unless a deployment opens it (0.0.0.0, ::). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Address the workers' /metrics, /healthz, /stats and /clicks listen on. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Host names the web server and the workers' endpoints answer to, besides localhost and IP
   * literals (comma-separated; `.example.com` allows its subdomains). Anything else is refused,
   * which stops DNS rebinding.
   */
  ALLOWED_HOSTS: z
    .string()
    .regex(/^[A-Za-z0-9.,\s-]*$/, 'comma-separated host names')
    .default(''),
  /** Whether the dashboard and the other read-only pages are open without signing in. */
  PUBLIC_DASHBOARD: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default('true')
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  /** The web app's own PostgreSQL login (least privilege); unset: DATABASE_URL. */
  WEB_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgresql:// connection URL')
    .optional(),
  /** Longest a web request's SQL statement may run (ms). */
  WEB_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(5_000),
  /**
   * Reverse proxies whose X-Forwarded-For the web app believes (comma-separated IP addresses).
   * Empty: the client is the socket's peer, whatever headers say.
   */
  TRUSTED_PROXIES: z
    .string()
    .refine((v) => listOf(v).every((ip) => isIP(ip) !== 0), 'comma-separated IP addresses')
    .default(''),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (process.env by default) into a Config, or throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset", as in most .env tooling.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = configSchema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `${name}=${JSON.stringify(cleaned[name] ?? '')}: expected ${issue.message}`;
    }),
  );
}

/** The variables of a dotenv file (none when it is missing); callers let the environment win. */
export function readEnvFile(file: string): Record<string, string> {
  return existsSync(file) ? parse(readFileSync(file)) : {};
}

/** The project root: where package.json lives. */
export const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** The env file `npm run stack:up` writes; every command and test reads it. */
export const envFilePath = path.join(projectRoot, '.env.local');

let cached: Config | undefined;

/** Config from .env.local overlaid by the real environment, parsed once per process. */
export function loadConfig(): Config {
  cached ??= parseConfig({ ...readEnvFile(envFilePath), ...process.env });
  return cached;
}

// `npm run stack:up | stack:down | stack:status`: the local services the system
// needs. Services given by the environment (DATABASE_URL, KAFKA_BROKERS) are
// used as they are; anything missing is started from .stack/ and recorded so
// that `down` stops only what the project started.
// Logs vs output: what up and down do is logged (lib/log.ts, component "stack"); `status` and
// a failed command's one-line reason are this CLI's output, printed plainly for the person.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { envFilePath, projectRoot, readEnvFile } from '../lib/config.ts';
import { logger } from '../lib/log.ts';
import { writeEnvFile } from './stack/env-file.ts';
import { ensureKafka, kafkaAnswers, stopKafka } from './stack/kafka.ts';
import { ensurePostgres, stopPostgres } from './stack/postgres.ts';
import { stopAppProcesses } from './stack/app-processes.ts';

export interface StackInfo {
  databaseUrl: string;
  /** The web app's own login (least privilege), when this stack runs the database. */
  webDatabaseUrl: string | undefined;
  kafkaBrokers: string;
  adminToken: string;
  /** What this call started (a test run stops only that). */
  started: { postgres: boolean; kafka: boolean };
}

const stackLog = logger('stack');
const log = (msg: string) => stackLog.info(msg);

/** The web app's PostgreSQL role on the local server (lib/db/web-role.ts grants it). */
const WEB_ROLE = 'clickstream_web';

async function postgresAnswers(url: string, timeoutMs = 3000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Starts what is missing, waits until it answers, records it in .env.local. Idempotent. */
export async function stackUp(env: NodeJS.ProcessEnv = process.env): Promise<StackInfo> {
  const rootDir = projectRoot;
  const started = { postgres: false, kafka: false };

  const existing = readEnvFile(envFilePath);
  let databaseUrl = env.DATABASE_URL;
  // The web app's login: given, or (for the local server) kept from .env.local or generated.
  let webDatabaseUrl = env.WEB_DATABASE_URL;
  if (databaseUrl) {
    if (!(await postgresAnswers(databaseUrl))) {
      throw new Error(
        `DATABASE_URL=${redact(databaseUrl)} does not answer: start that server, or unset DATABASE_URL so that stack:up runs a local PostgreSQL.`,
      );
    }
    log(`PostgreSQL: using DATABASE_URL from the environment (${redact(databaseUrl)})`);
    // A web login written for this same server stays; the web role is then the DBA's to make.
    if (!webDatabaseUrl && sameServer(existing.WEB_DATABASE_URL, databaseUrl)) {
      webDatabaseUrl = existing.WEB_DATABASE_URL;
    }
  } else {
    const known = webDatabaseUrl ?? existing.WEB_DATABASE_URL;
    const webRole = {
      name: WEB_ROLE,
      password:
        (known && decodeURIComponent(new URL(known).password)) ||
        randomBytes(18).toString('base64url'),
    };
    const pgInfo = await ensurePostgres({ rootDir, log, webRole });
    databaseUrl = pgInfo.databaseUrl;
    started.postgres = pgInfo.startedByUs;
    const web = new URL(databaseUrl);
    web.username = webRole.name;
    web.password = webRole.password;
    webDatabaseUrl = web.toString();
  }

  let kafkaBrokers = env.KAFKA_BROKERS;
  if (kafkaBrokers) {
    if (!(await kafkaAnswers(kafkaBrokers))) {
      throw new Error(
        `KAFKA_BROKERS=${kafkaBrokers} does not answer: start that cluster, or unset KAFKA_BROKERS so that stack:up runs a local broker.`,
      );
    }
    log(`Kafka: using KAFKA_BROKERS from the environment (${kafkaBrokers})`);
  } else {
    const kafkaInfo = await ensureKafka({ rootDir, log });
    kafkaBrokers = kafkaInfo.brokers;
    started.kafka = kafkaInfo.startedNow;
  }

  const adminToken =
    env.ADMIN_TOKEN || existing.ADMIN_TOKEN || randomBytes(18).toString('base64url');
  const values: Record<string, string> = {
    ...existing,
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafkaBrokers,
    ADMIN_TOKEN: adminToken,
  };
  // Never a login for another server than DATABASE_URL's: without one the web app uses DATABASE_URL.
  if (webDatabaseUrl) values.WEB_DATABASE_URL = webDatabaseUrl;
  else delete values.WEB_DATABASE_URL;
  writeEnvFile(envFilePath, values, [
    'Written by `npm run stack:up`: the services this checkout uses. Every project command and test reads it.',
    'Edit freely; values exported in the environment win over this file.',
  ]);

  log(`DATABASE_URL=${redact(databaseUrl)}`);
  log(`KAFKA_BROKERS=${kafkaBrokers}`);
  log(`recorded in ${path.relative(process.cwd(), envFilePath) || envFilePath}`);
  if (webDatabaseUrl) log(`WEB_DATABASE_URL=${redact(webDatabaseUrl)}`);
  return { databaseUrl, webDatabaseUrl, kafkaBrokers, adminToken, started };
}

/** Stops only what the project started (pid files under .stack/). */
export async function stackDown(): Promise<void> {
  // Each is stopped even when another fails, so one problem never leaves the rest running.
  const failures: string[] = [];
  for (const [name, stop] of [
    ['app processes', () => stopAppProcesses(projectRoot, log)],
    ['Kafka', () => stopKafka(projectRoot)],
    ['PostgreSQL', () => stopPostgres(projectRoot)],
  ] as const) {
    await stop().catch((error: unknown) =>
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  if (failures.length > 0)
    throw new Error(`could not stop everything:\n  ${failures.join('\n  ')}`);
  log('stopped what the project had started');
}

function sameServer(a: string | undefined, b: string): boolean {
  if (!a) return false;
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.host === y.host && x.pathname === y.pathname;
  } catch {
    return false;
  }
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@');
}

async function status(): Promise<void> {
  const env = { ...readEnvFile(envFilePath), ...process.env };
  const db = env.DATABASE_URL;
  const brokers = env.KAFKA_BROKERS;
  console.log(
    `PostgreSQL ${db ? redact(db) : '(not configured)'}: ${db && (await postgresAnswers(db)) ? 'up' : 'down'}`,
  );
  console.log(
    `Kafka ${brokers ?? '(not configured)'}: ${brokers && (await kafkaAnswers(brokers)) ? 'up' : 'down'}`,
  );
  const pidDir = path.join(projectRoot, '.stack');
  if (!existsSync(pidDir)) console.log('(nothing started by the project yet)');
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'up') await stackUp();
  else if (command === 'down') await stackDown();
  else if (command === 'status') await status();
  else throw new Error(`usage: tsx scripts/stack.ts up|down|status (got ${command ?? 'nothing'})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((error: unknown) => {
    console.error(`[stack] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

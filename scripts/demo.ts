// `npm run demo`: the whole system on embedded defaults. Brings the stack up,
// migrates, creates the topics, seeds reference data, builds the web app if
// needed, starts the speed-layer worker and the jobs worker (each under the supervisor,
// which restarts one that exits) and the web server, produces demo traffic, and prints the
// dashboard URL. Ctrl-C stops the workers, the web app and the traffic; `npm run stack:down`
// stops Kafka and PostgreSQL.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, projectRoot } from '../lib/config.ts';
import { createPgPool } from '../lib/db/pool.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { clickstreamTopicSpecs, ensureTopics } from '../lib/kafka/topics.ts';
import { defaultGeneratorSettings } from '../lib/simulator/stream-generator.ts';
import { seedReferenceData } from '../lib/simulator/traffic.ts';
import { buildWorker } from './build-worker.ts';
import { stackUp } from './stack.ts';
import {
  WORKER_NICE,
  startAppProcess,
  stopAppProcesses,
  supervised,
} from './stack/app-processes.ts';

const log = (m: string) => console.log(`[demo] ${m}`);

function step(name: string, command: string, args: string[]): void {
  log(name);
  const result = spawnSync(command, args, { cwd: projectRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${name} failed (exit ${result.status})`);
}

async function waitForWeb(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`the web app did not answer on ${url} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  const stack = await stackUp();
  step('generating the Prisma client', 'npx', ['tsx', 'scripts/prisma-generate.ts']);
  step('applying migrations', 'npx', ['tsx', 'scripts/migrate.ts']);
  const config = loadConfig();
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-demo`,
  });
  await ensureTopics(kafka, clickstreamTopicSpecs(config));
  const pool = createPgPool(config.DATABASE_URL, { applicationName: 'clickstream-demo', max: 2 });
  // Imported only now: the Prisma client it loads is generated a few lines above.
  const { withPrismaOn } = await import('../lib/db/client.ts');
  await withPrismaOn(pool, (db) => seedReferenceData(db, defaultGeneratorSettings));

  if (!existsSync(path.join(projectRoot, '.next', 'BUILD_ID'))) {
    step('building the web app (first run only)', 'npx', ['next', 'build']);
  }

  const env = {
    ...process.env,
    DATABASE_URL: stack.databaseUrl,
    KAFKA_BROKERS: stack.kafkaBrokers,
  };
  // One node process per worker, so the supervisor's signals reach it: the speed worker built
  // into one module first (scripts/build-worker.ts), the jobs worker with tsx as an --import
  // hook. At a lower CPU priority than the web, as `npm run workers` (README, "Priorities").
  const bundle = await buildWorker();
  const worker = supervised('worker', process.execPath, ['--enable-source-maps', bundle], {
    nice: WORKER_NICE,
  });
  // The batch jobs (lake export, models: started from the admin page or the daily schedule).
  const jobs = supervised('jobs', process.execPath, ['--import', 'tsx', 'workers/jobs/main.ts']);
  const children = [
    startAppProcess(projectRoot, 'workers', worker.command, worker.args, env),
    startAppProcess(projectRoot, 'jobs', jobs.command, jobs.args, env),
    startAppProcess(projectRoot, 'web', 'npx', ['tsx', 'server.ts'], {
      ...env,
      NODE_ENV: 'production',
    }),
  ];

  const url = `http://localhost:${config.PORT}`;
  await waitForWeb(url);
  // Demo traffic goes through the web app's simulator, so its page shows it and can stop it.
  const started = await fetch(`${url}/api/simulator/start`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ rate: 60 }),
  });
  if (!started.ok && started.status !== 409) {
    throw new Error(`could not start demo traffic: ${started.status} ${await started.text()}`);
  }

  log('');
  log(`Dashboard:   ${url}`);
  log(`Checkouts:   ${url}/checkouts`);
  log(`Admin token: ${stack.adminToken}   (sign in on ${url}/admin; also in .env.local)`);
  log(
    'Demo traffic: 60 events/s (change it on /simulator). Ctrl-C stops the demo; `npm run stack:down` stops Kafka and PostgreSQL.',
  );

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await stopAppProcesses(projectRoot, log);
    await pool.end();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  for (const child of children) {
    child.on('exit', (code) => {
      if (!stopping) {
        log(`a demo process exited (code ${code}): stopping`);
        void shutdown(1);
      }
    });
  }
}

main().catch((error: unknown) => {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

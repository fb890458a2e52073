// Dashboard under load: does the web stay responsive while the speed layer runs flat out? Over a
// scratch database and topics it produces one backlog (the peers' uniform shape), starts the web
// (production build, `next build` first if there is none) with a browser's socket connected (so
// the pipeline poller reads the sink every second, as it does for a watched dashboard), then asks
// the dashboard's APIs at a fixed rate: after a few seconds of warm-up, first with the workers
// stopped (idle), then while our workers (2 processes, at --worker-nice) catch up with the
// backlog, until every checkout's row is written. Prints p50/p95/p99/max per endpoint in both
// phases, the web process's CPU per request (a figure that other load on the machine barely
// moves, unlike the latencies) and the gaps between socket snapshots; target: p95 <= 50 ms under
// load. Writes bench/results/dashboard-load.json.
// Run: npm run bench -- dashboard-load [--events=600000] [--rate=10] [--idle-seconds=10]
//      [--worker-nice=10] [--web-cpu-prof=DIR]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { projectRoot } from '../lib/config.ts';
import { withPrismaOn } from '../lib/db/client.ts';
import { seedReferenceData } from '../lib/simulator/traffic.ts';
import { WORKER_NICE as WORKER_NICE_AS_SHIPPED } from '../scripts/stack/app-processes.ts';
import { createSpeedTestEnv } from '../test/speed/test-harness.ts';
import { generateBacklog, produceBacklog, settings } from './peers/backlog.ts';
import { buildWorker } from '../scripts/build-worker.ts';
import { benchArgs, latencySummary, PRODUCT_SESSION_TIMEOUT } from './bench-support.ts';

const args = benchArgs();
const EVENTS = Number(args.get('events') ?? 600_000);
/** Requests per second to each endpoint (open loop: a slow answer does not slow the asking). */
const RATE = Number(args.get('rate') ?? 10);
const IDLE_SECONDS = Number(args.get('idle-seconds') ?? 10);
const WARM_UP_SECONDS = 3;
/** The workers' niceness (`nice -n`): as `npm run workers` runs them by default; 0 is the web's. */
const WORKER_NICE = Number(args.get('worker-nice') ?? WORKER_NICE_AS_SHIPPED);
/** A folder for a V8 CPU profile of the web process (`--cpu-prof`), written when it stops. */
const WEB_CPU_PROFILE_DIR = args.get('web-cpu-prof');
const WORKERS = 2;
const WEB_PORT = 3190;
const METRICS_PORTS = [9571, 9572];
const TARGET_P95_MS = 50;
const ADMIN_TOKEN = 'bench-dashboard-load-token-0123456789abcdef';
const log = (m: string) => console.log(`[bench:dashboard-load] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the dashboard and the checkout browser ask (the browser's first page, signed in). */
const ENDPOINTS = ['/api/pipeline', '/api/pipeline/channels', '/api/checkouts'] as const;
type Endpoint = (typeof ENDPOINTS)[number];

interface Samples {
  latencies: Record<Endpoint, number[]>;
  failures: Record<Endpoint, number>;
}

/** Asks every endpoint RATE times a second, from a process of its own, until `until` resolves. */
async function askUntil(base: string, until: Promise<unknown>): Promise<Samples> {
  const asker = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/dashboard-load/asker.ts',
      base,
      String(RATE),
      ADMIN_TOKEN,
      ...ENDPOINTS,
    ],
    { cwd: projectRoot, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let output = '';
  asker.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => asker.once('exit', resolve));
  await until.finally(() => asker.stdin!.end());
  const code = await exited;
  if (code !== 0) throw new Error(`the asker exited ${code}`);
  return JSON.parse(output) as Samples;
}

/** Starts `node <nodeArgs>` (the web from its sources with tsx, the worker built). */
function start(
  name: string,
  nodeArgs: string[],
  env: Record<string, string>,
  nice = 0,
): ChildProcess {
  const node = [process.execPath, ...nodeArgs];
  const command = nice === 0 ? node : ['nice', '-n', String(nice), ...node];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: projectRoot,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) log(`${name} exited ${code}`);
  });
  return child;
}

/** Linux's clock ticks per second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat's times. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) process `pid` has used so far. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The web's CPU over one phase: per request answered, and as a share of one core. */
function cpuSummary(cpuMs: number, seconds: number, samples: Samples) {
  const requests = ENDPOINTS.reduce(
    (n, e) => n + samples.latencies[e].length + samples.failures[e],
    0,
  );
  return {
    cpuMs,
    requests,
    // The poller's ticks and the socket's snapshots are in it too: the web's whole cost.
    cpuMsPerRequest: Math.round((cpuMs / Math.max(1, requests)) * 100) / 100,
    coreShare: Math.round((cpuMs / 1000 / seconds) * 1000) / 1000,
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
}

function ensureBuild(): string {
  const buildId = path.join(projectRoot, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) {
    log('no production build: running `npm run build` (a few minutes)');
    const built = spawnSync('npm', ['run', 'build'], { cwd: projectRoot, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  return statSync(buildId).mtime.toISOString();
}

async function main(): Promise<void> {
  const builtAt = ensureBuild();
  const workerBundle = await buildWorker(); // as `npm run workers` runs the worker
  const env = await createSpeedTestEnv({
    TOPIC_PARTITIONS: '6',
    SNAPSHOT_INTERVAL_MS: '5000',
    ...PRODUCT_SESSION_TIMEOUT,
  });
  const children: ChildProcess[] = [];
  const socket = io(`http://127.0.0.1:${WEB_PORT}`, {
    autoConnect: false,
    transports: ['websocket'],
    extraHeaders: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  try {
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, settings));
    // Only the counts are kept: the backlog itself would be garbage this process collects while
    // it measures (the asker has a process of its own too).
    const { events, expected } = await (async () => {
      const backlog = generateBacklog('uniform', EVENTS);
      await produceBacklog(env.kafka, env.topics, backlog);
      return { events: backlog.messages.length, expected: backlog.expected.size };
    })();
    log(`${events.toLocaleString('en')} events produced`);
    const shared = {
      ...env.childEnv,
      ADMIN_TOKEN,
      WORKER_METRICS_URL: METRICS_PORTS.map((p) => `http://127.0.0.1:${p}/metrics`).join(','),
    };
    const profile = WEB_CPU_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${WEB_CPU_PROFILE_DIR}`]
      : [];
    const web = start('web', [...profile, '--import', 'tsx', 'server.ts'], {
      ...shared,
      PORT: String(WEB_PORT),
      NODE_ENV: 'production',
    });
    children.push(web);
    const webCpuMs = () => cpuMsOf(web.pid!);
    const base = `http://127.0.0.1:${WEB_PORT}`;
    await waitFor('the web answering', async () => (await fetch(`${base}/api/health`)).ok, 90_000);

    const snapshotGaps: number[] = [];
    let lastSnapshot = 0;
    let phase: 'idle' | 'load' = 'idle';
    socket.on('pipeline', () => {
      const now = performance.now();
      if (lastSnapshot > 0 && phase === 'load') snapshotGaps.push(now - lastSnapshot);
      lastSnapshot = now;
    });
    socket.connect();

    // Not measured: the first requests load each route's code, compile it and fill the pools.
    await askUntil(base, sleep(WARM_UP_SECONDS * 1000));
    log(`idle: asking ${ENDPOINTS.join(', ')} ${RATE}×/s each for ${IDLE_SECONDS} s`);
    let cpuFrom = webCpuMs();
    let phaseFrom = Date.now();
    const idle = await askUntil(base, sleep(IDLE_SECONDS * 1000));
    const idleCpu = cpuSummary(webCpuMs() - cpuFrom, (Date.now() - phaseFrom) / 1000, idle);

    phase = 'load';
    const started = Date.now();
    cpuFrom = webCpuMs();
    phaseFrom = started;
    for (const port of METRICS_PORTS.slice(0, WORKERS)) {
      children.push(
        start(
          'worker',
          ['--enable-source-maps', workerBundle],
          { ...shared, METRICS_PORT: String(port) },
          WORKER_NICE,
        ),
      );
    }
    // Every checkout's row written (the last ones stay provisional until later events move the
    // watermark past them: the backlog ends, so "all final" never comes).
    let lastShown = Date.now();
    const allRows = waitFor(
      'every checkout row written',
      async () => {
        const { rows } = await env.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM commerce.attributed_checkouts',
        );
        const n = Number(rows[0]!.n);
        if (Date.now() - lastShown > 10_000) {
          lastShown = Date.now();
          log(`load: ${n.toLocaleString('en')} of ${expected.toLocaleString('en')} rows`);
        }
        return n >= expected;
      },
      30 * 60_000,
    );
    log(
      `load: workers started; asking until all ${expected.toLocaleString('en')} rows are written`,
    );
    const load = await askUntil(base, allRows);
    const loadCpu = cpuSummary(webCpuMs() - cpuFrom, (Date.now() - phaseFrom) / 1000, load);
    await allRows;
    const loadSeconds = (Date.now() - started) / 1000;

    const report = Object.fromEntries(
      ENDPOINTS.map((e) => [
        e,
        {
          idle: { ...latencySummary(idle.latencies[e], 1), failures: idle.failures[e] },
          load: { ...latencySummary(load.latencies[e], 1), failures: load.failures[e] },
        },
      ]),
    );
    const gaps = latencySummary(snapshotGaps, 1);
    console.log(
      `\n${events.toLocaleString('en')} events caught up in ${loadSeconds.toFixed(1)} s ` +
        `(${Math.round(events / loadSeconds).toLocaleString('en')} events/s, ${WORKERS} worker processes); ` +
        `${RATE} requests/s to each endpoint; workers at nice ${WORKER_NICE}; target p95 <= ${TARGET_P95_MS} ms under load`,
    );
    console.log(
      '| endpoint | idle p50 / p95 / max | under load p50 / p95 / p99 / max | failures | p95 target |',
    );
    console.log('|---|---|---|---|---|');
    for (const e of ENDPOINTS) {
      const { idle: i, load: l } = report[e]!;
      console.log(
        `| ${e} | ${i.p50Ms} / ${i.p95Ms} / ${i.maxMs} ms | ${l.p50Ms} / ${l.p95Ms} / ${l.p99Ms} / ${l.maxMs} ms | ` +
          `${i.failures + l.failures} | ${l.p95Ms <= TARGET_P95_MS ? 'met' : 'NOT met'} |`,
      );
    }
    console.log(
      `web process CPU per request (poller and socket included): idle ${idleCpu.cpuMsPerRequest} ms ` +
        `(${Math.round(idleCpu.coreShare * 100)} % of a core), under load ${loadCpu.cpuMsPerRequest} ms ` +
        `(${Math.round(loadCpu.coreShare * 100)} % of a core)`,
    );
    console.log(
      `socket snapshots under load: ${gaps.count}, gap p50 ${gaps.p50Ms} ms, p95 ${gaps.p95Ms} ms, max ${gaps.maxMs} ms (the poller ticks every 1000 ms)`,
    );
    const file = path.join(projectRoot, 'bench/results/dashboard-load.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          machine: { cpus: os.cpus().length, memoryBytes: os.totalmem(), node: process.version },
          command: `npm run bench -- dashboard-load --events=${EVENTS} --rate=${RATE} --worker-nice=${WORKER_NICE}`,
          workerNice: WORKER_NICE,
          webBuiltAt: builtAt,
          events: events,
          workers: WORKERS,
          loadSeconds,
          targetP95Ms: TARGET_P95_MS,
          endpoints: report,
          webCpu: { idle: idleCpu, load: loadCpu },
          snapshotGapsUnderLoad: gaps,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    socket.close();
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    );
    await env.cleanup().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

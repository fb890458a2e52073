// Starts N speed-layer worker processes (workers/main.ts, built as the product runs it:
// scripts/build-worker.ts; runOurs builds it first) as one contender, the way a user scales
// out ("start more to scale"), so bench/peers.bench.ts measures them as one process tree beside
// the peers' parallelism. SIGTERM and SIGINT are passed on; exits when every worker has.
// usage: node .build/workers-run.mjs N   (runOurs bundles it, and the worker, first)
// It imports nothing of ours (lib/config.ts would load zod and dotenv first: ~0.25 s here before
// the first worker is even spawned, counted in our time); the workers run in its directory, the
// project's (bench/peers/contenders.ts starts it there). PEERS_WORKER_BUNDLE runs another build
// of the worker than .build/worker.mjs (one kept aside, to compare two versions).
import { spawn } from 'node:child_process';

const count = Number(process.argv[2] ?? '1');
if (!Number.isInteger(count) || count < 1) throw new Error('usage: workers-run.ts N (N >= 1)');

// WORKER_NODE_ARGS adds node flags to the workers only (as test/speed/worker-process.ts does),
// e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` to profile our contender.
const nodeArgs = (process.env.WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const bundle = process.env.PEERS_WORKER_BUNDLE ?? '.build/worker.mjs';
const children = Array.from({ length: count }, () =>
  spawn(process.execPath, [...nodeArgs, '--enable-source-maps', bundle], {
    env: process.env,
    stdio: 'inherit',
  }),
);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
let running = count;
let failed = false;
for (const child of children) {
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) failed = true;
    if (--running === 0) process.exit(failed ? 1 : 0);
  });
}

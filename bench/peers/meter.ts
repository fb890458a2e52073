// What a contender costs: its own process tree, measured by measure.py (CPU time of every
// process of the tree, peak of the tree's summed RSS), and the shared services it made work, the
// broker and PostgreSQL, read from /proc/<pid>/stat before and after.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../lib/config.ts';

const TICKS = 100; // USER_HZ: 100 on Linux x86-64 and arm64

export interface TreeUsage {
  exitCode: number;
  seconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  /** The tree's figures when mark() was called, if it was. */
  mark: { cpuSeconds: number; peakRssBytes: number; seconds: number } | null;
}

export interface Measured {
  /** Everything the command printed, last 2,000 chunks. */
  output: string[];
  mark(): void;
  signal(signal: NodeJS.Signals): void;
  done: Promise<TreeUsage>;
}

/** Runs `command` under measure.py; `echo` prefixes and prints its output lines as they come. */
export function runMeasured(
  command: string,
  args: string[],
  env: Record<string, string>,
  echo?: string,
): Measured {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-peers-meter-'));
  const out = path.join(dir, 'usage.json');
  const child = spawn(
    'python3',
    [path.join(projectRoot, 'bench/peers/measure.py'), out, '--', command, ...args],
    { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 2000) output.shift();
    if (echo) {
      for (const line of text.split('\n')) if (line.trim()) console.log(`${echo} ${line}`);
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const done = new Promise<TreeUsage>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => {
      try {
        if (!existsSync(out)) throw new Error(`measure.py wrote nothing:\n${output.join('')}`);
        resolve(JSON.parse(readFileSync(out, 'utf8')) as TreeUsage);
      } catch (error) {
        reject(error as Error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
  return {
    output,
    mark: () => child.kill('SIGUSR1'),
    signal: (s) => {
      if (child.exitCode === null) child.kill(s);
    },
    done,
  };
}

/** utime + stime (+ cutime + cstime: children it reaped) of one process, seconds. */
function cpuOf(pid: number, withReaped: boolean): number {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const own = Number(f[11]) + Number(f[12]);
    return (own + (withReaped ? Number(f[13]) + Number(f[14]) : 0)) / TICKS;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const raw = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (Number(raw.slice(raw.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function livePid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isFinite(pid) && existsSync(`/proc/${pid}`) ? pid : undefined;
}

export interface ServiceCpu {
  broker: number | null;
  postgres: number | null;
}

/**
 * CPU seconds used so far by the local broker (one JVM) and PostgreSQL (the postmaster, the
 * backends it reaped, and its live children), or null when they are not ours to read (an
 * external KAFKA_BROKERS or DATABASE_URL).
 */
export function serviceCpu(): ServiceCpu {
  const broker = livePid(path.join(projectRoot, '.stack/kafka/kafka.pid'));
  const postmaster = livePid(path.join(projectRoot, '.stack/postgres/data/postmaster.pid'));
  return {
    broker: broker === undefined ? null : cpuOf(broker, true),
    postgres:
      postmaster === undefined
        ? null
        : cpuOf(postmaster, true) +
          childrenOf(postmaster).reduce((sum, pid) => sum + cpuOf(pid, false), 0),
  };
}

export function serviceCpuSince(before: ServiceCpu): ServiceCpu {
  const now = serviceCpu();
  return {
    broker: now.broker === null || before.broker === null ? null : now.broker - before.broker,
    postgres:
      now.postgres === null || before.postgres === null ? null : now.postgres - before.postgres,
  };
}

/** The machine's CPU time so far from /proc/stat's first line: busy and total, in ticks. */
export function parseCpuLine(statText: string): { busy: number; total: number } {
  const line = statText.slice(0, statText.indexOf('\n'));
  const [label, ...fields] = line.trim().split(/\s+/);
  if (label !== 'cpu' || fields.length < 5) throw new Error(`not /proc/stat: ${line}`);
  // user nice system idle iowait irq softirq steal (guest time is inside user already). Steal is
  // other machines' work on the host: not busy here, and nothing waiting would end.
  const n = fields.slice(0, 8).map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - n[3]! - n[4]! - n[7]!, total };
}

/** Cores' worth of CPU in use on the whole machine over the next `ms`. */
async function machineCoresBusy(ms: number): Promise<number> {
  const a = parseCpuLine(readFileSync('/proc/stat', 'latin1'));
  await new Promise((r) => setTimeout(r, ms));
  const b = parseCpuLine(readFileSync('/proc/stat', 'latin1'));
  const share = b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0;
  return share * os.cpus().length;
}

/**
 * Waits until the machine is quiet (under `cores` cores busy over a second) or `maxMs` passed, so
 * that a contender does not start under the previous one's aftermath (the broker flushing its
 * logs, PostgreSQL vacuuming a sink table, a JVM still exiting): that work would slow it and be
 * counted as its broker or PostgreSQL CPU. Returns the seconds waited and the last busy figure.
 */
export async function waitForQuiet(
  cores = 0.25,
  maxMs = 30_000,
): Promise<{ seconds: number; coresBusy: number }> {
  const started = Date.now();
  let busy = await machineCoresBusy(1000);
  while (busy >= cores && Date.now() - started < maxMs) busy = await machineCoresBusy(1000);
  return { seconds: (Date.now() - started) / 1000, coresBusy: busy };
}

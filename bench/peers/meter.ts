// What a contender costs: its own process tree, measured by measure.py (CPU time of every
// process of the tree, peak of the tree's summed RSS), and the shared services it made work, the
// broker and PostgreSQL, read from /proc/<pid>/stat before and after.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

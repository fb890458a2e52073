// The one pid-file manager of the local stack: the services (Kafka; stack/process.ts starts them)
// and the app processes of `npm run demo` (app-processes.ts) are recorded, found and stopped
// through it. Invariant: we only signal a pid read from our own pid file whose process is alive
// and, when a marker is given, whose command line still contains it, so a recycled pid is never
// killed by mistake; a stale pid file is removed when it is found.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True when `pid` exists and is not a zombie (a zombie answers kill(0) but runs nothing). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may contain spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

/** The process's command line joined by spaces, or undefined when it is gone or unreadable. */
export function processCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** The pid in `pidFile`, or undefined when the file is missing, vanishing or malformed. */
export function readPidFile(pidFile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return undefined; // missing, or removed by its exiting process while we looked
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function writePidFile(pidFile: string, pid: number): void {
  mkdirSync(path.dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${pid}\n`);
}

/** The `*.pid` files in `dir` (none when it does not exist). */
export function pidFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.pid'))
    .map((file) => path.join(dir, file));
}

/**
 * The pid from `pidFile` if that process is alive and (when `marker` is given) its command line
 * contains `marker`; otherwise undefined, and a stale pid file is removed.
 */
export function readLivePid(pidFile: string, marker?: string): number | undefined {
  const pid = readPidFile(pidFile);
  if (pid === undefined) return undefined;
  const alive = isProcessAlive(pid);
  const cmdline = alive ? processCommandLine(pid) : undefined;
  if (alive && (marker === undefined || cmdline === undefined || cmdline.includes(marker))) {
    return pid;
  }
  rmSync(pidFile, { force: true });
  return undefined;
}

export interface StopOptions {
  /** Only signal the pid when its command line contains this (guards against pid reuse). */
  marker?: string;
  /** First signal; PostgreSQL wants SIGINT for a fast shutdown. Default SIGTERM. */
  signal?: NodeJS.Signals;
  /** How long to wait after the first signal before SIGKILL. Default 20 s. */
  graceMs?: number;
  /** Signal the pid's whole process group (a supervisor and its child), not the pid alone. */
  group?: boolean;
  log?: (msg: string) => void;
}

/** Signals the group led by `pid` (or, when it leads none, the pid); false when it is gone. */
function signal(pid: number, sig: NodeJS.Signals, group: boolean): boolean {
  for (const target of group ? [-pid, pid] : [pid]) {
    try {
      process.kill(target, sig);
      return true;
    } catch {
      // no such group (or process): try the next target
    }
  }
  return false;
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Stops the process named by `pidFile`: `signal`, then SIGKILL after `graceMs`; removes the pid
 * file. Returns false (and does nothing but remove a stale file) when it was not running.
 */
export async function stopProcess(pidFile: string, options: StopOptions = {}): Promise<boolean> {
  const { marker, signal: first = 'SIGTERM', graceMs = 20_000, group = false } = options;
  const log = options.log ?? (() => {});
  const pid = readLivePid(pidFile, marker);
  if (pid === undefined) return false;
  signal(pid, first, group);
  if (!(await exited(pid, graceMs))) {
    log(`pid ${pid} still running ${graceMs} ms after ${first}; sending SIGKILL`);
    signal(pid, 'SIGKILL', group);
    if (!(await exited(pid, 5_000))) throw new Error(`pid ${pid} still running after SIGKILL`);
  }
  rmSync(pidFile, { force: true });
  return true;
}

// Managed background processes for the local stack (Kafka, PostgreSQL): start detached with
// output to a log file, track by pid file, wait for a port, stop with SIGTERM then SIGKILL.
// Invariant: we only ever signal a pid read from our own pid file whose command line still
// contains the marker we expect, so a recycled pid is never killed by mistake.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
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

/** The pid in `pidFile`, or undefined when the file is missing or malformed. */
export function readPidFile(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function writePidFile(pidFile: string, pid: number): void {
  mkdirSync(path.dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${pid}\n`);
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

/** Resolves true when a TCP connection to host:port succeeds within `timeoutMs`. */
export function isPortOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked between attempts: stop waiting early (e.g. the process we started has died). */
  abortIf?: () => string | undefined;
}

/**
 * Polls `check` until it returns true; throws after `timeoutMs` (message names `what`) or as soon
 * as `abortIf` returns a reason. A check that throws counts as "not yet".
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  { timeoutMs, intervalMs = 250, abortIf }: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    const reason = abortIf?.();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    if (Date.now() >= deadline) throw new Error(`${what}: timed out after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** Waits until host:port accepts TCP connections. */
export function waitForPort(host: string, port: number, options: WaitOptions): Promise<void> {
  return waitUntil(`waiting for ${host}:${port}`, () => isPortOpen(host, port), options);
}

export interface StartDetachedOptions {
  command: string;
  args: string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  pidFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a process that outlives this one (own session, no pipes back to us), appends its output
 * to `logFile`, writes `pidFile`, and returns the pid.
 */
export function startDetached({
  command,
  args,
  logFile,
  pidFile,
  cwd,
  env,
}: StartDetachedOptions): number {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const out = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd,
      env: env ?? process.env,
      detached: true,
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    writePidFile(pidFile, child.pid);
    return child.pid;
  } finally {
    closeSync(out); // the child holds its own copy of the descriptor
  }
}

export interface StopOptions {
  /** Only signal the pid when its command line contains this (guards against pid reuse). */
  marker?: string;
  /** First signal; PostgreSQL wants SIGINT for a fast shutdown. Default SIGTERM. */
  signal?: NodeJS.Signals;
  /** How long to wait after the first signal before SIGKILL. Default 20 s. */
  graceMs?: number;
  log?: (msg: string) => void;
}

/**
 * Stops the process named by `pidFile`: `signal`, then SIGKILL after `graceMs`; removes the pid
 * file. Returns false (and does nothing) when it was not running.
 */
export async function stopProcess(pidFile: string, options: StopOptions = {}): Promise<boolean> {
  const { marker, signal = 'SIGTERM', graceMs = 20_000, log = () => {} } = options;
  const pid = readLivePid(pidFile, marker);
  if (pid === undefined) return false;
  process.kill(pid, signal);
  try {
    await waitUntil(`pid ${pid} exiting`, () => !isProcessAlive(pid), { timeoutMs: graceMs });
  } catch {
    log(`pid ${pid} still running ${graceMs} ms after ${signal}; sending SIGKILL`);
    if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    await waitUntil(`pid ${pid} exiting after SIGKILL`, () => !isProcessAlive(pid), {
      timeoutMs: 5_000,
    });
  }
  rmSync(pidFile, { force: true });
  return true;
}

/** The last `lines` lines of a text file (empty string when missing), for error messages. */
export function tailFile(file: string, lines = 40): string {
  if (!existsSync(file)) return '';
  // Read only the end: a broker log can be large.
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } finally {
    closeSync(fd);
  }
}

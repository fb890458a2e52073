// Managed background processes for the local stack (Kafka, PostgreSQL): start detached with
// output to a log file, recorded in a pid file (pid-files.ts finds and stops them), wait for a
// port or a condition, read the end of a log.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { writePidFile } from './pid-files.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

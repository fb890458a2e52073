import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isProcessAlive,
  pidFilesIn,
  readLivePid,
  readPidFile,
  stopProcess,
  writePidFile,
} from './pid-files.ts';

let dir: string;
const started: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pid-files-'));
});

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A detached shell (its own process group) running `script`; its pid is recorded in `name`.pid. */
function startRecorded(name: string, script: string): { pid: number; pidFile: string } {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  started.push(child.pid!);
  const pidFile = path.join(dir, `${name}.pid`);
  writePidFile(pidFile, child.pid!);
  return { pid: child.pid!, pidFile };
}

describe('pid files', () => {
  it('reads what was written, and nothing from a missing or malformed file', () => {
    writePidFile(path.join(dir, 'a.pid'), 1234);
    expect(readPidFile(path.join(dir, 'a.pid'))).toBe(1234);
    expect(readPidFile(path.join(dir, 'missing.pid'))).toBeUndefined();
    expect(pidFilesIn(dir)).toEqual([path.join(dir, 'a.pid')]);
    expect(pidFilesIn(path.join(dir, 'nowhere'))).toEqual([]);
  });

  it('forgets a pid whose process is gone, or runs something else (a recycled pid)', () => {
    const gone = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
    const stale = path.join(dir, 'stale.pid');
    writePidFile(stale, Number(gone.stdout.trim()));
    expect(readLivePid(stale)).toBeUndefined();
    expect(existsSync(stale)).toBe(false);

    const recycled = path.join(dir, 'recycled.pid');
    writePidFile(recycled, process.pid);
    expect(readLivePid(recycled, 'a marker this process does not carry')).toBeUndefined();
    expect(existsSync(recycled)).toBe(false);
    writePidFile(recycled, process.pid);
    expect(readLivePid(recycled)).toBe(process.pid);
  });
});

describe('stopProcess', { timeout: 30_000 }, () => {
  it('stops a recorded process group (a supervisor and its child) and removes its pid file', async () => {
    const childFile = path.join(dir, 'child');
    const { pid, pidFile } = startRecorded('app', `sleep 60 & echo $! > '${childFile}'; wait`);
    await expect.poll(() => readPidFile(childFile) ?? 0).toBeGreaterThan(0);
    const childPid = readPidFile(childFile)!;
    expect(await stopProcess(pidFile, { group: true, graceMs: 5_000 })).toBe(true);
    expect(isProcessAlive(pid)).toBe(false);
    await expect.poll(() => isProcessAlive(childPid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
    expect(await stopProcess(pidFile, { group: true })).toBe(false);
  });

  it('sends SIGKILL to a process that ignores the first signal, and says so', async () => {
    const { pid, pidFile } = startRecorded('stubborn', 'trap "" TERM; while :; do sleep 0.1; done');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the trap is set
    const said: string[] = [];
    expect(await stopProcess(pidFile, { graceMs: 500, log: (m) => said.push(m) })).toBe(true);
    expect(isProcessAlive(pid)).toBe(false);
    expect(said).toEqual([`pid ${pid} still running 500 ms after SIGTERM; sending SIGKILL`]);
  });
});

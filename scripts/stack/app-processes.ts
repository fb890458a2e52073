// The application processes `npm run demo` starts (speed worker, jobs worker, web). Each
// writes a pid file under .stack/app/ so that `stack:down` can stop them even when the
// demo's terminal is gone. The workers run under the supervisor, which restarts
// one that exits, as production's orchestrator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const appDir = (rootDir: string) => path.join(rootDir, '.stack', 'app');
const supervisorScript = path.join(
  path.dirname(new URL(import.meta.url).pathname),
  'supervisor.ts',
);

/**
 * `command args` wrapped in the supervisor (supervisor.ts): restarted with backoff when it exits,
 * stopped without restart by SIGTERM or SIGINT. The supervisor shares the child's process group,
 * so stopAppProcesses' group signal reaches both.
 */
export function supervised(
  name: string,
  command: string,
  args: string[],
): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ['--import', 'tsx', supervisorScript, '--name', name, '--', command, ...args],
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `command` as a named app process in its own process group, recording its pid. */
export function startAppProcess(
  rootDir: string,
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess {
  mkdirSync(appDir(rootDir), { recursive: true });
  const child = spawn(command, args, { cwd: rootDir, env, stdio: 'inherit', detached: true });
  if (child.pid) writeFileSync(path.join(appDir(rootDir), `${name}.pid`), String(child.pid));
  child.on('exit', () => rmSync(path.join(appDir(rootDir), `${name}.pid`), { force: true }));
  return child;
}

/** Sends SIGTERM to each recorded process group, then SIGKILL to what is still alive after 10 s. */
export async function stopAppProcesses(rootDir: string, log: (m: string) => void): Promise<void> {
  const dir = appDir(rootDir);
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pid'))) {
    let pid: number;
    try {
      pid = Number(readFileSync(path.join(dir, file), 'utf8'));
    } catch {
      continue; // the process exited (and removed its pid file) while we were looking
    }
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      log(`stopping ${file.replace(/\.pid$/, '')} (pid ${pid})`);
      signalGroup(pid, 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
    }
    rmSync(path.join(dir, file), { force: true });
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

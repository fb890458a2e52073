// The application processes `npm run demo` starts (speed worker, jobs worker, web). Each
// writes a pid file under .stack/app/ so that `stack:down` can stop them even when the
// demo's terminal is gone. The workers run under the supervisor, which restarts
// one that exits, as production's orchestrator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { pidFilesIn, readLivePid, stopProcess, writePidFile } from './pid-files.ts';

/**
 * The speed worker's niceness under `npm run workers` and the demo (package.json says it again):
 * on a machine it shares with the web, the dashboard's requests are served first (README,
 * "Priorities"); the worker still gets every cycle the web leaves.
 */
export const WORKER_NICE = 10;

const appDir = (rootDir: string) => path.join(rootDir, '.stack', 'app');
const supervisorScript = path.join(
  path.dirname(new URL(import.meta.url).pathname),
  'supervisor.ts',
);

/**
 * `command args` wrapped in the supervisor (supervisor.ts): restarted with backoff when it exits,
 * stopped without restart by SIGTERM or SIGINT, run at niceness `nice` if given. The supervisor
 * shares the child's process group, so stopAppProcesses' group signal reaches both.
 */
export function supervised(
  name: string,
  command: string,
  args: string[],
  { nice }: { nice?: number } = {},
): { command: string; args: string[] } {
  const niceness = nice ? ['--nice', String(nice)] : [];
  return {
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      supervisorScript,
      '--name',
      name,
      ...niceness,
      '--',
      command,
      ...args,
    ],
  };
}

/** Starts `command` as a named app process in its own process group, recording its pid. */
export function startAppProcess(
  rootDir: string,
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess {
  const pidFile = path.join(appDir(rootDir), `${name}.pid`);
  const child = spawn(command, args, { cwd: rootDir, env, stdio: 'inherit', detached: true });
  if (child.pid) writePidFile(pidFile, child.pid);
  child.on('exit', () => rmSync(pidFile, { force: true }));
  return child;
}

/** Sends SIGTERM to each recorded process group, then SIGKILL to what is still alive after 10 s. */
export async function stopAppProcesses(rootDir: string, log: (m: string) => void): Promise<void> {
  for (const pidFile of pidFilesIn(appDir(rootDir))) {
    const pid = readLivePid(pidFile);
    if (pid === undefined) {
      rmSync(pidFile, { force: true }); // its process is gone: nothing to signal
      continue;
    }
    log(`stopping ${path.basename(pidFile, '.pid')} (pid ${pid})`);
    await stopProcess(pidFile, { group: true, graceMs: 10_000, log });
  }
}

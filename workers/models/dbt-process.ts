// Runs one dbt command as a child process and hands its output over line by line (dbt writes
// its JSON log to stdout). Cancelling sends SIGINT first, so dbt cancels its open queries.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Environment } from './dbt-command.ts';

export interface DbtInvocation {
  /** The dbt executable (the venv's). */
  dbt: string;
  args: string[];
  cwd: string;
  env: Environment;
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

/** Resolves with dbt's exit code (0 ok, 1 failures, 2 crash) once its output is drained. */
export function runDbt(o: DbtInvocation): Promise<number> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) {
      reject(new Error('dbt run cancelled'));
      return;
    }
    const child = spawn(o.dbt, o.args, {
      cwd: o.cwd,
      env: o.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = [
      createInterface({ input: child.stdout }),
      createInterface({ input: child.stderr }),
    ];
    for (const rl of lines) rl.on('line', o.onLine);
    let killTimer: NodeJS.Timeout | undefined;
    const cancel = () => {
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    };
    o.signal?.addEventListener('abort', cancel, { once: true });
    child.on('error', (error) => {
      o.signal?.removeEventListener('abort', cancel);
      reject(error);
    });
    child.on('close', (code, signal) => {
      o.signal?.removeEventListener('abort', cancel);
      if (killTimer) clearTimeout(killTimer);
      if (o.signal?.aborted) reject(new Error('dbt run cancelled'));
      else resolve(code ?? (signal ? 2 : 0));
    });
  });
}

// dbt's Python environment (.venv from scripts/python/requirements.txt), made ready by the jobs
// worker: once at start and before each models run (fast when nothing changed). pip runs in a
// child process: the worker's event loop keeps heartbeating the runs it holds meanwhile.
import { spawn } from 'node:child_process';
import path from 'node:path';

/** The venv's dbt executable under the repository root. */
export const dbtExecutable = (baseDir: string): string => path.join(baseDir, '.venv', 'bin', 'dbt');

/** Makes sure .venv matches requirements.txt (scripts/python-env.ts), in a child process. */
export function ensurePythonTools(baseDir: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--eval',
        "import('./scripts/python-env.ts').then((m) => m.ensurePythonEnv()).catch((e) => { console.error(e.message); process.exit(1); })",
      ],
      { cwd: baseDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve();
      log(`python env: ${output}`);
      reject(new Error(`could not prepare the Python tools (.venv): ${output.trim().slice(-500)}`));
    });
  });
}

// The project-local Python environment (.venv) for the batch layer's tools (delta-rs, dbt):
// created with `python3 -m venv` and filled from scripts/python/requirements.txt (pinned, from
// PyPI). Invariant: .venv/.requirements.sha256 holds the hash of the requirements it was last
// installed from, so an unchanged file costs nothing and a changed one is re-installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../lib/config.ts';

export const venvDir = path.join(projectRoot, '.venv');
export const requirementsFile = path.join(projectRoot, 'scripts', 'python', 'requirements.txt');
const stampFile = path.join(venvDir, '.requirements.sha256');
const lockDir = path.join(projectRoot, '.venv.lock');

/** The venv's python executable. */
export const venvPython = (): string => path.join(venvDir, 'bin', 'python');
/** An executable the venv installed (dbt, ...). */
export const venvBin = (name: string): string => path.join(venvDir, 'bin', name);

type Log = (message: string) => void;

function run(command: string, args: string[], log: Log): boolean {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: projectRoot });
  return result.status === 0;
}

/** A python3 of at least 3.10 (dbt and delta-rs need it), or an error saying what to install. */
function systemPython(): string {
  for (const candidate of ['python3', 'python3.13', 'python3.12', 'python3.11', 'python3.10']) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print(sys.version_info >= (3, 10))'], {
      encoding: 'utf8',
    });
    if (probe.status === 0 && probe.stdout.trim() === 'True') return candidate;
  }
  throw new Error(
    'Python >= 3.10 not found: install python3 (Debian: apt-get install python3 python3-venv)',
  );
}

/** Debian splits venv out of python3; install it when we may (root with apt-get). */
function installVenvPackage(log: Log): boolean {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('installing Debian package python3-venv (apt-get)…');
  if (spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env }).status !== 0) return false;
  return (
    spawnSync('apt-get', ['install', '-y', '-qq', 'python3-venv'], { stdio: 'inherit', env })
      .status === 0
  );
}

function createVenv(log: Log): void {
  const python = systemPython();
  rmSync(venvDir, { recursive: true, force: true });
  if (run(python, ['-m', 'venv', venvDir], log) && existsSync(venvPython())) return;
  rmSync(venvDir, { recursive: true, force: true });
  if (
    installVenvPackage(log) &&
    run(python, ['-m', 'venv', venvDir], log) &&
    existsSync(venvPython())
  )
    return;
  throw new Error(`could not create ${venvDir}: install python3-venv (Debian) and retry`);
}

/** Serializes installs across processes (two test files, a test and `npm run models`). */
async function withLock<T>(fn: () => T): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than the longest install is left over from a killed process.
      const age = Date.now() - statSync(lockDir, { throwIfNoEntry: false })!.mtimeMs;
      if (age > 20 * 60_000) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Makes sure .venv exists and holds exactly what requirements.txt pins; returns its python.
 * Fast when nothing changed (one hash of one file).
 */
export async function ensurePythonEnv(
  log: Log = (m) => console.log(`[python] ${m}`),
): Promise<string> {
  const requirements = readFileSync(requirementsFile);
  const hash = createHash('sha256').update(requirements).digest('hex');
  const isCurrent = () =>
    existsSync(venvPython()) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8').trim() === hash;
  if (isCurrent()) return venvPython();
  return withLock(() => {
    if (isCurrent()) return venvPython();
    if (!existsSync(venvPython())) createVenv(log);
    rmSync(stampFile, { force: true });
    const pip = ['-m', 'pip', '--disable-pip-version-check', '--no-input'];
    if (!run(venvPython(), [...pip, 'install', '--quiet', '-r', requirementsFile], log)) {
      throw new Error(`pip install -r ${requirementsFile} failed (see above)`);
    }
    writeFileSync(stampFile, `${hash}\n`);
    return venvPython();
  });
}

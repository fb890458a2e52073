// Installs the peers of bench/peers.bench.ts on first use, the way scripts/python-env.ts and
// scripts/stack/kafka.ts install ours: a venv per peer under .venv-peers/ (PyFlink and PySpark pin
// different py4j versions, and the dbt venv stays untouched), filled from the pinned
// requirements-*.txt here; the connector jars from Maven Central by `mvn dependency:copy-
// dependencies` over jars/*.pom.xml. Invariant: a stamp file holds the hash of what a folder was
// last filled from, so an unchanged pin costs nothing and a changed one is redone; jars are
// copied into a scratch folder and renamed, so a half-copied folder never looks complete.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../lib/config.ts';

export const peersDir = path.join(projectRoot, '.venv-peers');
const here = path.join(projectRoot, 'bench', 'peers');

export type Peer = 'flink' | 'spark';

export interface PeerRuntime {
  python: string;
  jars: string;
}

const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const stamped = (stamp: string, hash: string) =>
  existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash;

function run(command: string, args: string[], log: (m: string) => void): void {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    cwd: projectRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error || result.status !== 0) {
    const out = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20);
    throw new Error(
      `${command} failed (${result.error?.message ?? `exit ${result.status}`}):\n${out.join('\n')}`,
    );
  }
}

/** A python3 >= 3.10 (PyFlink 2.0 wants 3.9 to 3.12). */
function systemPython(): string {
  for (const candidate of ['python3', 'python3.12', 'python3.11', 'python3.10']) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print(sys.version_info >= (3, 10))'], {
      encoding: 'utf8',
    });
    if (probe.status === 0 && probe.stdout.trim() === 'True') return candidate;
  }
  throw new Error('Python >= 3.10 not found: install python3 and python3-venv');
}

function ensureVenv(peer: Peer, log: (m: string) => void): string {
  const venv = path.join(peersDir, peer);
  const python = path.join(venv, 'bin', 'python');
  const requirements = path.join(here, `requirements-${peer}.txt`);
  const stamp = path.join(venv, '.requirements.sha256');
  const hash = hashOf(requirements);
  if (existsSync(python) && stamped(stamp, hash)) return python;
  if (!existsSync(python)) {
    rmSync(venv, { recursive: true, force: true });
    mkdirSync(peersDir, { recursive: true });
    run(systemPython(), ['-m', 'venv', venv], log);
  }
  rmSync(stamp, { force: true });
  log(
    `installing ${peer} from PyPI into ${path.relative(projectRoot, venv)} (once; a few minutes)`,
  );
  run(
    python,
    [
      '-m',
      'pip',
      '--disable-pip-version-check',
      '--no-input',
      'install',
      '--quiet',
      '-r',
      requirements,
    ],
    log,
  );
  writeFileSync(stamp, `${hash}\n`);
  return python;
}

function ensureJars(peer: Peer | 'kafka-tools', log: (m: string) => void): string {
  const pom = path.join(here, 'jars', `${peer}.pom.xml`);
  const dir = path.join(peersDir, `jars-${peer}`);
  const stamp = path.join(dir, '.pom.sha256');
  const hash = hashOf(pom);
  if (stamped(stamp, hash)) return dir;
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  log(`fetching the ${peer} jars from Maven Central (once)`);
  run(
    'mvn',
    [
      '-q',
      '-B',
      '-Dstyle.color=never',
      '-f',
      pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${partial}`,
    ],
    log,
  );
  writeFileSync(path.join(partial, '.pom.sha256'), `${hash}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}

/** The venv's python and the jar folder of a peer, installed if missing or out of date. */
export function ensurePeer(
  peer: Peer,
  log: (m: string) => void = (m) => console.log(`[peers] ${m}`),
): PeerRuntime {
  return { python: ensureVenv(peer, log), jars: ensureJars(peer, log) };
}

/** Kafka's own tools (kafka-consumer-perf-test) at the broker's version: a jar folder. */
export function ensureKafkaTools(log: (m: string) => void = (m) => console.log(`[peers] ${m}`)) {
  return ensureJars('kafka-tools', log);
}

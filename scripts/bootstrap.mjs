// Runs before every npm entry point that needs the project's dependencies:
// plain Node, no dependencies, so it works on a fresh clone. It installs the
// npm packages when they are missing or older than package-lock.json. Its lines are plain
// console output: the logger (lib/log.ts, pino) may not be installed yet when it runs.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Node ${process.versions.node} is too old: Clickstream needs Node 20.19 or newer.`);
  process.exit(1);
}

const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.log('[bootstrap] installing npm dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(
      '[bootstrap] npm ci failed: check network access to the npm registry and the log above.',
    );
    process.exit(result.status ?? 1);
  }
}

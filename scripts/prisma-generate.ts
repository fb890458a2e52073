// `npm run db:generate`: runs `prisma generate` offline, and only when schema.prisma (or the
// installed Prisma version) is newer than the generated client in lib/generated/prisma.
//
// Why the placeholder engine: every Prisma 7 CLI command, `generate` included, first makes sure a
// native schema engine is on disk and downloads it from binaries.prisma.sh when it is not, which
// fails offline. `generate` never runs that engine (it uses the bundled Wasm), and the CLI accepts
// any existing file named by PRISMA_SCHEMA_ENGINE_BINARY. So when no real engine is present we
// point that variable at a placeholder file. `migrate` does need the real engine; we use our own
// migrator instead (scripts/migrate.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../lib/config.ts';

const schemaFile = path.join(projectRoot, 'prisma', 'schema.prisma');
const generatedClient = path.join(projectRoot, 'lib', 'generated', 'prisma', 'client.ts');
const prismaPackage = path.join(projectRoot, 'node_modules', 'prisma', 'package.json');
const placeholderEngine = path.join(projectRoot, '.stack', 'prisma', 'schema-engine-placeholder');

const log = (message: string) => console.log(`[prisma-generate] ${message}`);
const mtime = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : 0);

function isUpToDate(): boolean {
  const generated = mtime(generatedClient);
  return generated > 0 && generated > mtime(schemaFile) && generated > mtime(prismaPackage);
}

/** The engine build this Prisma version downloads (a cached engine of another build is not used). */
function enginesVersion(): string | undefined {
  const file = path.join(projectRoot, 'node_modules', '@prisma', 'engines-version', 'package.json');
  if (!existsSync(file)) return undefined;
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { prisma?: { enginesVersion?: string } };
  return pkg.prisma?.enginesVersion;
}

/** A schema engine the CLI would find by itself: in @prisma/engines or in its download cache. */
function hasRealEngine(): boolean {
  const dirs = [path.join(projectRoot, 'node_modules', '@prisma', 'engines')];
  const version = enginesVersion();
  const cache = path.join(homedir(), '.cache', 'prisma', 'master', version ?? '-');
  if (version && existsSync(cache))
    dirs.push(...readdirSync(cache).map((p) => path.join(cache, p)));
  return dirs.some(
    (dir) =>
      existsSync(dir) &&
      statSync(dir).isDirectory() &&
      readdirSync(dir).some((name) => name.startsWith('schema-engine')),
  );
}

function engineEnv(): NodeJS.ProcessEnv {
  if (process.env.PRISMA_SCHEMA_ENGINE_BINARY || hasRealEngine()) return process.env;
  mkdirSync(path.dirname(placeholderEngine), { recursive: true });
  writeFileSync(
    placeholderEngine,
    'Placeholder for PRISMA_SCHEMA_ENGINE_BINARY: `prisma generate` never runs the schema engine ' +
      'but refuses to start unless one exists. Written by scripts/prisma-generate.ts.\n',
  );
  return { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: placeholderEngine };
}

function main(): number {
  if (!process.argv.includes('--force') && isUpToDate()) {
    log('generated client is newer than prisma/schema.prisma: nothing to do (--force to rerun)');
    return 0;
  }
  const prismaBin = path.join(projectRoot, 'node_modules', '.bin', 'prisma');
  const result = spawnSync(prismaBin, ['generate'], {
    cwd: projectRoot,
    stdio: 'inherit',
    env: { ...engineEnv(), PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

process.exit(main());

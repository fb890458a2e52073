// Builds the speed worker (workers/main.ts) into one ES module, .build/worker.mjs, which
// `npm run worker`, `npm run workers`, the demo and the peers benchmark run with plain node; and
// the one-shot lake export (scripts/lake-export.ts) into .build/lake-export.mjs, with its worker
// threads' module beside it (.build/lake-sink-thread.mjs), which `npm run lake:export` runs
// (through tsx it spent ~1 s more before reading: bench/peers, --only=lake-export, alternated).
// The jobs worker stays on tsx: it loads once and runs many jobs.
// Loaded through tsx, a worker spent ~0.8 s of CPU at every start compiling and resolving its
// ~170 modules through the loader's hooks thread; the bundle loads in ~0.4 s (bench/peers,
// alternated: 1.4-2.1 CPU-s less for two workers). Packages stay external (node_modules is
// there at run time); only our TypeScript is compiled in. The bundle lives one directory below
// the project root, like every source file lib/config.ts locates the root from.
// Run: npm run build:worker (the scripts above run it first: it takes under a second).
import { build } from 'esbuild';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../lib/config.ts';
import { LAKE_SINK_THREAD_BUNDLE_NAME } from '../workers/lake/topic-sink-threads.ts';

export const WORKER_BUNDLE = path.join(projectRoot, '.build', 'worker.mjs');
export const LAKE_EXPORT_BUNDLE = path.join(projectRoot, '.build', 'lake-export.mjs');

export const buildWorker = (): Promise<string> =>
  buildBundle(path.join(projectRoot, 'workers', 'main.ts'), WORKER_BUNDLE);

export const LAKE_SINK_THREAD_BUNDLE = path.join(
  projectRoot,
  '.build',
  LAKE_SINK_THREAD_BUNDLE_NAME,
);

/** The lake export, and the module its worker threads run when it runs bundled. */
export const buildLakeExport = async (): Promise<string> => {
  await buildLakeSinkThread();
  return buildBundle(path.join(projectRoot, 'scripts', 'lake-export.ts'), LAKE_EXPORT_BUNDLE);
};

/** The lake export's worker-thread module (workers/lake/topic-sink-threads.ts runs it). */
export const buildLakeSinkThread = (): Promise<string> =>
  buildBundle(
    path.join(projectRoot, 'workers', 'lake', 'topic-sink-worker.ts'),
    LAKE_SINK_THREAD_BUNDLE,
  );

/** Bundles `entry` (our TypeScript; packages external) into the ES module `outfile`. */
export async function buildBundle(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    // For CommonJS code that calls require() (an ES module has no require of its own).
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  Promise.all([buildWorker(), buildLakeExport()]).then(
    (files) => console.log(`built ${files.map((f) => path.relative(projectRoot, f)).join(', ')}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

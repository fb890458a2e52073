// Builds the speed worker (workers/main.ts) into one ES module, .build/worker.mjs, which
// `npm run worker`, `npm run workers`, the demo and the peers benchmark run with plain node.
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

export const WORKER_BUNDLE = path.join(projectRoot, '.build', 'worker.mjs');

export async function buildWorker(): Promise<string> {
  await build({
    entryPoints: [path.join(projectRoot, 'workers', 'main.ts')],
    outfile: WORKER_BUNDLE,
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
  return WORKER_BUNDLE;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildWorker().then(
    (file) => console.log(`built ${path.relative(projectRoot, file)}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

// `npm run bench`: brings the stack up, then runs every benchmark in bench/
// one after the other (they share two cores: never in parallel), each printing
// its figures and writing JSON to bench/results/. `npm run bench -- speed-layer`
// runs one; arguments after it (e.g. --events=500000) go to that benchmark.
// Output, not logs: the benchmarks print their progress and figures as plain lines for the person
// running them; the components they drive log through lib/log.ts at LOG_LEVEL.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../lib/config.ts';
import { stackUp } from '../scripts/stack.ts';

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  const available = readdirSync(path.join(projectRoot, 'bench'))
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace(/\.bench\.ts$/, ''))
    .sort();
  const selected = name ? [name] : available;
  for (const s of selected) {
    if (!existsSync(path.join(projectRoot, 'bench', `${s}.bench.ts`))) {
      console.error(`no benchmark "${s}": choose one of ${available.join(', ')}`);
      return 2;
    }
  }
  await stackUp();
  for (const step of [['scripts/prisma-generate.ts'], ['scripts/migrate.ts']]) {
    if (
      spawnSync(process.execPath, ['--import', 'tsx', ...step], {
        cwd: projectRoot,
        stdio: 'inherit',
      }).status !== 0
    ) {
      return 1;
    }
  }
  let failed = 0;
  for (const s of selected) {
    console.log(`\n=== bench: ${s} ===`);
    const result = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        path.join('bench', `${s}.bench.ts`),
        ...(name ? rest : []),
      ],
      { cwd: projectRoot, stdio: 'inherit' },
    );
    if (result.status !== 0) failed++;
  }
  console.log(
    `\nbenchmarks: ${selected.length - failed} finished, ${failed} failed; figures in bench/results/`,
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

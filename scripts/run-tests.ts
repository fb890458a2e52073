// `npm test`: installs and starts what the tests need, runs every suite (type
// check, lint, unit, integration against the real Kafka and PostgreSQL, browser
// tests in Debian's Chromium), stops what it started, and ends with one
// "N passed, N failed" line. Any failure makes the exit code non-zero.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../lib/config.ts';
import { stackUp } from './stack.ts';
import { stopKafka } from './stack/kafka.ts';
import { stopPostgres } from './stack/postgres.ts';
import { ensurePythonEnv } from './python-env.ts';
import {
  playwrightNotable,
  suiteFailures,
  vitestNotable,
  type NotableTest,
} from './test-summary.ts';
import { ensureChromium } from './stack/system-packages.ts';

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  ok: boolean;
  seconds: number;
}

const resultsDir = path.join(projectRoot, 'test-results');
const results: SuiteResult[] = [];
const notable: { suite: string; test: NotableTest }[] = [];
const only = new Set((process.env.TEST_SUITES ?? '').split(',').filter(Boolean));
const wanted = (name: string) => only.size === 0 || only.has(name);

function run(
  command: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): { ok: boolean; seconds: number } {
  const started = Date.now();
  console.log(`\n[test] $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    cwd: projectRoot,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return { ok: result.status === 0, seconds: (Date.now() - started) / 1000 };
}

/** A gate is a check with no test count of its own: it passes or fails as one. */
function gate(name: string, command: string, args: string[]): void {
  if (!wanted(name)) return;
  const { ok, seconds } = run(command, args);
  results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, ok, seconds });
}

function vitestSuite(name: string, project: string): void {
  if (!wanted(name)) return;
  const out = path.join(resultsDir, `vitest-${project}.json`);
  rmSync(out, { force: true });
  const { ok, seconds } = run('npx', [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  const report = existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as Parameters<typeof vitestNotable>[0] & {
        numPassedTests: number;
        numFailedTests: number;
        numPendingTests: number;
        numTodoTests: number;
        numTotalTests: number;
      })
    : undefined;
  if (report)
    for (const test of vitestNotable(report, projectRoot)) notable.push({ suite: name, test });
  const passed = report?.numPassedTests ?? 0;
  // A suite that ran nothing, or whose report is missing, is a failure, not a pass.
  const failed = suiteFailures({ failed: report?.numFailedTests ?? 0, passed, runnerOk: ok });
  const skipped = (report?.numPendingTests ?? 0) + (report?.numTodoTests ?? 0);
  results.push({ name, passed, failed, skipped, ok: ok && passed > 0, seconds });
}

function playwrightSuite(): void {
  if (!wanted('e2e')) return;
  const out = path.join(resultsDir, 'playwright.json');
  rmSync(out, { force: true });
  const { ok, seconds } = run('npx', ['playwright', 'test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: out,
  });
  const report = existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as Parameters<typeof playwrightNotable>[0] & {
        stats: { expected: number; unexpected: number; flaky: number; skipped: number };
      })
    : undefined;
  const stats = report?.stats;
  if (report) for (const test of playwrightNotable(report)) notable.push({ suite: 'e2e', test });
  const passed = (stats?.expected ?? 0) + (stats?.flaky ?? 0);
  const failed = suiteFailures({ failed: stats?.unexpected ?? 0, passed, runnerOk: ok });
  results.push({
    name: 'e2e',
    passed,
    failed,
    skipped: stats?.skipped ?? 0,
    ok: ok && passed > 0,
    seconds,
  });
}

async function main(): Promise<number> {
  mkdirSync(resultsDir, { recursive: true });
  const stack = await stackUp();
  let exitCode = 1;
  try {
    await ensureChromium((m) => console.log(`[test] ${m}`));
    // delta-rs (the independent Delta reader) and dbt, pinned, in .venv: once per requirements change.
    await ensurePythonEnv((m) => console.log(`[test] ${m}`));
    const setup = [
      run('npx', ['tsx', 'scripts/prisma-generate.ts']),
      run('npx', ['tsx', 'scripts/migrate.ts']),
    ];
    if (setup.some((s) => !s.ok))
      throw new Error('setup failed (prisma generate or migrate): see above');

    gate('typecheck', 'npx', ['tsc', '--noEmit']);
    gate('lint', 'npx', ['eslint', '.']);
    gate('format', 'npx', ['prettier', '--check', '.']);
    // dbt for the production target must parse and compile without a cluster.
    gate('dbt-redshift', 'npx', [
      'tsx',
      'scripts/models.ts',
      '--check-offline',
      '--target',
      'redshift',
    ]);
    vitestSuite('unit', 'unit');
    vitestSuite('integration', 'integration');
    if (wanted('e2e')) {
      const build = run('npx', ['next', 'build']);
      if (build.ok) playwrightSuite();
      else
        results.push({
          name: 'e2e (next build)',
          passed: 0,
          failed: 1,
          skipped: 0,
          ok: false,
          seconds: build.seconds,
        });
    }
    exitCode = results.every((r) => r.ok) ? 0 : 1;
  } finally {
    if (process.env.KEEP_STACK !== '1') {
      // Stop only what this run started; a stack the user had up stays up.
      if (stack.started.kafka) await stopKafka(projectRoot);
      if (stack.started.postgres) await stopPostgres(projectRoot);
    }
  }

  console.log('\n[test] summary');
  for (const r of results) {
    const mark = r.ok ? 'ok  ' : 'FAIL';
    console.log(
      `  ${mark} ${r.name.padEnd(18)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped  (${r.seconds.toFixed(1)} s)`,
    );
  }
  // By name, at the end: CI keeps only the tail of the log.
  for (const { suite, test } of notable) {
    const reason = test.reason ? `: ${test.reason}` : '';
    console.log(`  ${test.status.padEnd(7)} [${suite}] ${test.name}${reason}`);
  }
  const total = results.reduce(
    (acc, r) => ({
      passed: acc.passed + r.passed,
      failed: acc.failed + r.failed,
      skipped: acc.skipped + r.skipped,
    }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  if (results.length === 0) {
    console.log('no suite ran');
    return 1;
  }
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[test] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

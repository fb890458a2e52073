// `npm run models`: installs the pinned Python tools (dbt, its adapters, delta-rs) into .venv when
// needed, then builds and tests every dbt model over the lake at LAKE_URI, recorded as a JobRun
// when PostgreSQL is reachable. Exit code 0 only when every model and test passed.
//
//   npm run models                          dbt build on the local target (DuckDB over the lake)
//   npm run models -- --full-refresh        rebuild the incremental models from the whole lake
//   npm run models -- --select +obt_checkouts
//   npm run models -- --target redshift     build on Redshift (REDSHIFT_* variables, see dbt/README.md)
//   npm run models -- --check-offline --target redshift
//                                           dbt parse + compile without a warehouse (CI)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, projectRoot } from '../lib/config.ts';
import { createPrisma, type PrismaClient } from '../lib/db/client.ts';
import {
  absoluteLakeUri,
  dbtEnvironment,
  offlineCheckCommands,
  type DbtTarget,
} from '../workers/models/dbt-command.ts';
import { parseDbtLogLine } from '../workers/models/dbt-log.ts';
import { runDbt } from '../workers/models/dbt-process.ts';
import {
  DEFAULT_WAREHOUSE_PATH,
  runModels,
  type ModelsRunProgress,
} from '../workers/models/run-models.ts';
import { ensurePythonEnv, venvBin } from './python-env.ts';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'local' },
    'full-refresh': { type: 'boolean', default: false },
    select: { type: 'string' },
    'check-offline': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
  },
});

function targetOf(value: string | undefined): DbtTarget {
  if (value === 'local' || value === 'redshift') return value;
  throw new Error(`--target must be local or redshift, not ${value}`);
}

/**
 * dbt parse + compile against a target without its warehouse: what CI can check for Redshift.
 * dbt's JSON log is read so only errors are printed (a selective compile prints its whole SQL).
 */
async function checkOffline(dbt: string, target: DbtTarget, lakeUri: string): Promise<boolean> {
  const projectDir = path.join(projectRoot, 'dbt');
  const env = dbtEnvironment(
    { projectDir, target, lakeUri, warehousePath: DEFAULT_WAREHOUSE_PATH, baseDir: projectRoot },
    process.env,
  );
  for (const args of offlineCheckCommands(target)) {
    const problems: string[] = [];
    const code = await runDbt({
      dbt,
      args,
      cwd: projectDir,
      env,
      onLine: (line) => {
        const event = parseDbtLogLine(line);
        if (event?.kind === 'run_error' || event?.kind === 'node_message')
          problems.push(event.message);
        if (event?.kind === 'output') problems.push(event.text);
      },
    });
    const shown = args.filter(
      (a) => a !== '--log-format' && a !== 'json' && a !== '--no-use-colors',
    );
    console.log(`[models] ${code === 0 ? 'ok  ' : 'FAIL'} dbt ${shown.join(' ')}`);
    for (const p of problems) console.log(`[models]   ${p}`);
    if (code !== 0) return false;
  }
  return true;
}

function printProgress(): (p: ModelsRunProgress) => void {
  const printed = new Set<string>();
  let phase = '';
  return (p) => {
    if (p.phase !== phase) {
      phase = p.phase;
      if (phase !== 'build' && phase !== 'done') console.log(`[models] ${phase}…`);
    }
    for (const n of p.nodes) {
      if (n.status === 'running' || printed.has(n.uniqueId)) continue;
      printed.add(n.uniqueId);
      const time = n.seconds === null ? '' : ` ${n.seconds.toFixed(2)} s`;
      console.log(
        `[models] ${printed.size}/${p.total ?? '?'} ${n.status.toUpperCase().padEnd(7)} ${n.resourceType} ${n.name}${time}`,
      );
    }
  };
}

async function connectForRecording(databaseUrl: string): Promise<PrismaClient | undefined> {
  const prisma = createPrisma(databaseUrl);
  try {
    await prisma.$queryRaw`SELECT 1`;
    return prisma;
  } catch {
    await prisma.$disconnect().catch(() => undefined);
    console.log('[models] PostgreSQL not reachable: the run is not recorded as a JobRun');
    return undefined;
  }
}

async function main(): Promise<number> {
  const config = loadConfig();
  const target = targetOf(values.target);
  await ensurePythonEnv();
  const dbt = venvBin('dbt');
  if (values['check-offline']) return (await checkOffline(dbt, target, config.LAKE_URI)) ? 0 : 1;
  const lake = absoluteLakeUri(config.LAKE_URI, projectRoot);
  if (
    target === 'local' &&
    !/^[a-z][a-z0-9+.-]*:\/\//i.test(lake) &&
    !existsSync(path.join(lake, 'clicks', '_delta_log'))
  ) {
    throw new Error(
      `no lake at ${lake}: run \`npm run lake:export\` first (or \`npm run models:sample-lake\` to try the models on generated data)`,
    );
  }

  const prisma = values['no-record'] ? undefined : await connectForRecording(config.DATABASE_URL);
  try {
    const result = await runModels(
      {
        dbt,
        baseDir: projectRoot,
        target,
        lakeUri: config.LAKE_URI,
        fullRefresh: values['full-refresh'],
        select: values.select,
        generateDocs: !values['no-docs'],
        prisma,
      },
      printProgress(),
    );
    const c = result.counts;
    console.log(
      `[models] ${result.ok ? 'ok' : 'FAILED'}: ${c.success} built, ${c.pass} tests passed, ${c.fail} failed, ` +
        `${c.error} errors, ${c.skipped} skipped; dbt build ${result.buildSeconds.toFixed(1)} s, ` +
        `job ${result.seconds.toFixed(1)} s${result.jobId ? ` (job ${result.jobId})` : ''}`,
    );
    for (const f of result.failures)
      console.log(`[models]   ${f.status} ${f.resourceType} ${f.name}: ${f.message ?? ''}`);
    for (const e of result.errors) console.log(`[models]   ${e}`);
    if (result.failures.some((f) => /schema change/i.test(f.message ?? ''))) {
      console.log('[models] an incremental model changed shape: run again with --full-refresh');
    }
    const days = result.reconciliation?.days ?? [];
    if (days.length > 0) {
      const agree = days.reduce((s, d) => s + d.agreeingCheckouts, 0);
      const all = days.reduce((s, d) => s + d.allCheckouts, 0);
      console.log(
        `[models] reconciliation: ${agree} of ${all} checkouts agree across ${days.length} days`,
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await prisma?.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[models] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

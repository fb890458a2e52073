// The command lines and environment of the project's dbt invocations: one place that knows the
// dbt project's variables (profiles.yml, _sources.yml) and the flags a machine-read run needs.
// Pure: the caller passes the base environment.
import type { DbtTarget } from '../../lib/jobs/models-contract.ts';

export type { DbtTarget };
import path from 'node:path';

/** Environment variables (a plain record: Next.js's ProcessEnv typing requires NODE_ENV). */
export type Environment = Record<string, string | undefined>;

export interface DbtSettings {
  /** The dbt project folder (holds dbt_project.yml and profiles.yml). */
  projectDir: string;
  target: DbtTarget;
  /** The lake's root: a local path (made absolute against `baseDir`) or an object-store URL. */
  lakeUri: string;
  /** The DuckDB warehouse file of the local target. */
  warehousePath: string;
  /** Where relative paths are resolved (the repository root). */
  baseDir: string;
  threads?: number;
}

/** A local path made absolute; URLs (s3://, file://, ...) are kept as they are. */
export function absoluteLakeUri(lakeUri: string, baseDir: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(lakeUri)
    ? lakeUri.replace(/\/+$/, '')
    : path.resolve(baseDir, lakeUri);
}

/**
 * dbt's environment: the base one (so REDSHIFT_* and cloud credentials reach dbt untouched) plus
 * the variables profiles.yml and _sources.yml read. dbt must not try to reach the internet.
 */
export function dbtEnvironment(settings: DbtSettings, base: Environment): Environment {
  // DuckDB names the database after the file, and dbt-duckdb's source plugin writes that name
  // unquoted into SQL: `my-warehouse.duckdb` would break every source.
  const stem = path.basename(settings.warehousePath).replace(/\.[^.]*$/, '');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(stem)) {
    throw new Error(
      `warehouse file name "${stem}" must be letters, digits and _ (DuckDB names the database after it)`,
    );
  }
  return {
    ...base,
    DBT_PROFILES_DIR: settings.projectDir,
    DBT_TARGET: settings.target,
    LAKE_URI: absoluteLakeUri(settings.lakeUri, settings.baseDir),
    DBT_DUCKDB_PATH: path.resolve(settings.baseDir, settings.warehousePath),
    ...(settings.threads ? { DBT_THREADS: String(settings.threads) } : {}),
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    DBT_USE_COLORS: 'false',
  };
}

/** Flags every machine-read invocation gets: JSON log lines on stdout, no colours. */
const machineFlags = ['--log-format', 'json', '--no-use-colors'];

export interface BuildOptions {
  fullRefresh?: boolean;
  /** dbt node selection (`--select`), e.g. `+fct_checkout_attribution`. */
  select?: string;
}

export function buildArgs(o: BuildOptions = {}): string[] {
  return [
    'build',
    ...machineFlags,
    ...(o.fullRefresh ? ['--full-refresh'] : []),
    ...(o.select ? ['--select', o.select] : []),
  ];
}

/** `dbt show` of an inline query, rows as JSON in the ShowNode event. */
export function showArgs(inlineQuery: string, limit: number): string[] {
  return [
    'show',
    ...machineFlags,
    '--inline',
    inlineQuery,
    '--limit',
    String(limit),
    '--output',
    'json',
  ];
}

/** The docs site; `--static` also writes target/static_index.html, one file with everything in it. */
export function docsGenerateArgs(): string[] {
  return ['docs', 'generate', '--static', ...machineFlags];
}

/**
 * Parse, then compile, against a target without reaching its warehouse (CI for Redshift): no
 * cache population, no introspective queries, into a target path of its own so the local build's
 * artifacts stay. Unit tests are left out: their fixtures need the column types of built
 * relations, which only a warehouse knows (they run in every local build). The incremental model
 * compiles in its full-refresh form, and in its incremental form in a third step.
 */
export function offlineCheckCommands(target: DbtTarget): string[][] {
  const common = [...machineFlags, '--target-path', `target/offline-${target}`];
  const compile = [
    'compile',
    ...common,
    '--no-populate-cache',
    '--no-introspect',
    '--exclude',
    'resource_type:unit_test',
  ];
  return [
    ['parse', ...common],
    compile,
    [
      ...compile,
      '--select',
      'fct_checkout_attribution fct_attribution_credits',
      '--vars',
      '{offline_incremental: true}',
    ],
    // The attribution models with a lookback of 7 days (the bucketed join and the date range).
    [
      ...compile,
      '--select',
      'fct_attribution_credits',
      '--vars',
      '{offline_incremental: true, attribution_lookback_hours: 168}',
    ],
  ];
}

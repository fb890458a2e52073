import { describe, expect, it } from 'vitest';
import {
  absoluteLakeUri,
  buildArgs,
  dbtEnvironment,
  offlineCheckCommands,
  showArgs,
} from './dbt-command.ts';

const settings = {
  projectDir: '/repo/dbt',
  target: 'local' as const,
  lakeUri: './data/lake',
  warehousePath: 'data/warehouse/clickstream.duckdb',
  baseDir: '/repo',
};

describe('dbtEnvironment', () => {
  it('passes the base environment through and sets what profiles.yml and the sources read', () => {
    const env = dbtEnvironment(settings, { REDSHIFT_HOST: 'cluster.example', PATH: '/bin' });
    expect(env).toMatchObject({
      REDSHIFT_HOST: 'cluster.example',
      PATH: '/bin',
      DBT_PROFILES_DIR: '/repo/dbt',
      DBT_TARGET: 'local',
      LAKE_URI: '/repo/data/lake',
      DBT_DUCKDB_PATH: '/repo/data/warehouse/clickstream.duckdb',
      DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    });
  });

  it('refuses a warehouse file name DuckDB cannot use as a database name in SQL', () => {
    expect(() =>
      dbtEnvironment({ ...settings, warehousePath: 'data/my-warehouse.duckdb' }, {}),
    ).toThrow(/letters, digits and _/);
  });
});

describe('absoluteLakeUri', () => {
  it.each([
    ['./data/lake', '/repo/data/lake'],
    ['/abs/lake', '/abs/lake'],
    ['s3://bucket/lake/', 's3://bucket/lake'],
    ['file:///tmp/lake', 'file:///tmp/lake'],
  ])('%s → %s', (uri, expected) => {
    expect(absoluteLakeUri(uri, '/repo')).toBe(expected);
  });
});

describe('command lines', () => {
  it('builds with JSON logs, optionally a full refresh and a selection', () => {
    expect(buildArgs()).toEqual(['build', '--log-format', 'json', '--no-use-colors']);
    expect(buildArgs({ fullRefresh: true, select: '+obt_checkouts' })).toEqual([
      'build',
      '--log-format',
      'json',
      '--no-use-colors',
      '--full-refresh',
      '--select',
      '+obt_checkouts',
    ]);
  });

  it('shows an inline query as JSON rows', () => {
    expect(showArgs('select 1', 10)).toEqual([
      'show',
      '--log-format',
      'json',
      '--no-use-colors',
      '--inline',
      'select 1',
      '--limit',
      '10',
      '--output',
      'json',
    ]);
  });

  it('checks a target offline without cache or introspection, unit tests left out', () => {
    const [parse, compile, incremental, weekLookback] = offlineCheckCommands('redshift');
    expect(parse).toEqual([
      'parse',
      '--log-format',
      'json',
      '--no-use-colors',
      '--target-path',
      'target/offline-redshift',
    ]);
    expect(compile).toEqual(
      expect.arrayContaining([
        'compile',
        '--no-populate-cache',
        '--no-introspect',
        'resource_type:unit_test',
      ]),
    );
    expect(incremental).toEqual(
      expect.arrayContaining([
        '--select',
        'fct_checkout_attribution fct_attribution_credits',
        '--vars',
        '{offline_incremental: true}',
      ]),
    );
    expect(weekLookback).toEqual(
      expect.arrayContaining([
        'fct_attribution_credits',
        '{offline_incremental: true, attribution_lookback_hours: 168}',
      ]),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { failedNodes, parseRunResults } from './run-results.ts';

const runResults = JSON.stringify({
  metadata: { dbt_version: '1.11.16', invocation_id: 'abc' },
  elapsed_time: 12.5,
  results: [
    {
      unique_id: 'model.clickstream.fct_checkout_attribution',
      status: 'success',
      execution_time: 3.2,
      failures: null,
      message: 'OK',
    },
    {
      unique_id: 'test.clickstream.unique_fct_checkout_attribution_checkout_id.1a2b3c4d5e',
      status: 'fail',
      execution_time: 0.4,
      failures: 2,
      message: 'Got 2 results, configured to fail if != 0',
    },
    {
      unique_id: 'unit_test.clickstream.fct_checkout_attribution.case_01',
      status: 'pass',
      execution_time: 0.1,
      failures: 0,
      message: null,
    },
    {
      unique_id: 'model.clickstream.obt_checkouts',
      status: 'skipped',
      execution_time: 0,
      failures: null,
      message: '',
    },
    {
      unique_id: 'model.clickstream.broken',
      status: 'error',
      execution_time: 0.2,
      failures: null,
      message: 'Catalog Error',
    },
  ],
});

describe('parseRunResults', () => {
  const parsed = parseRunResults(runResults);

  it('reads the run and every node', () => {
    expect(parsed).toMatchObject({
      dbtVersion: '1.11.16',
      invocationId: 'abc',
      elapsedSeconds: 12.5,
    });
    expect(parsed.results.map((r) => [r.resourceType, r.name, r.status])).toEqual([
      ['model', 'fct_checkout_attribution', 'success'],
      ['test', 'unique_fct_checkout_attribution_checkout_id', 'fail'],
      ['unit_test', 'fct_checkout_attribution::case_01', 'pass'],
      ['model', 'obt_checkouts', 'skipped'],
      ['model', 'broken', 'error'],
    ]);
    expect(parsed.results[1]).toMatchObject({
      seconds: 0.4,
      failures: 2,
      message: 'Got 2 results, configured to fail if != 0',
    });
    expect(parsed.results[3]!.message).toBeNull();
  });

  it('lists failed tests and errored nodes as failures', () => {
    expect(failedNodes(parsed.results).map((r) => r.name)).toEqual([
      'unique_fct_checkout_attribution_checkout_id',
      'broken',
    ]);
  });

  it('refuses a file that is not run_results.json', () => {
    expect(() => parseRunResults('{"nodes": {}}')).toThrow(/not a dbt run_results.json/);
  });
});

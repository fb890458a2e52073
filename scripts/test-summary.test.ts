import { describe, expect, it } from 'vitest';
import { playwrightNotable, suiteFailures, vitestNotable } from './test-summary.ts';

describe('suiteFailures', () => {
  it.each([
    { failed: 1, passed: 69, runnerOk: false, expected: 1 }, // the runner fails because a test did
    { failed: 3, passed: 10, runnerOk: false, expected: 3 },
    { failed: 0, passed: 70, runnerOk: true, expected: 0 },
    { failed: 0, passed: 70, runnerOk: false, expected: 1 }, // crashed, or an error outside tests
    { failed: 0, passed: 0, runnerOk: true, expected: 1 }, // ran nothing
    { failed: 0, passed: 0, runnerOk: false, expected: 1 }, // no report at all
    { failed: 2, passed: 0, runnerOk: false, expected: 2 },
  ])('$failed failed, $passed passed, runner ok $runnerOk: $expected', (c) => {
    expect(suiteFailures(c)).toBe(c.expected);
  });
});

describe('the tests the summary names', () => {
  it('names failed, flaky (errors kept by a passing retry) and skipped vitest tests', () => {
    const notable = vitestNotable(
      {
        testResults: [
          {
            name: '/repo/a.integration.test.ts',
            status: 'failed',
            assertionResults: [
              { fullName: 'a works', status: 'passed', failureMessages: [] },
              {
                fullName: 'a fails',
                status: 'failed',
                failureMessages: ['\nAssertionError: 1\n at x'],
              },
              { fullName: 'a wobbles', status: 'passed', failureMessages: ['Timeout\n at y'] },
              { fullName: 'a waits', status: 'skipped' },
            ],
          },
          {
            name: '/repo/b.test.ts',
            status: 'failed',
            message: 'Cannot find module x',
            assertionResults: [],
          },
        ],
      },
      '/repo',
    );
    expect(notable).toEqual([
      { status: 'failed', name: 'a.integration.test.ts › a fails', reason: 'AssertionError: 1' },
      { status: 'flaky', name: 'a.integration.test.ts › a wobbles', reason: 'Timeout' },
      { status: 'skipped', name: 'a.integration.test.ts › a waits' },
      { status: 'failed', name: 'b.test.ts', reason: 'Cannot find module x' },
    ]);
  });

  it('names failed, flaky and skipped Playwright tests in nested suites', () => {
    const notable = playwrightNotable({
      suites: [
        {
          title: 'x.spec.ts',
          specs: [
            { title: 'ok', file: 'x.spec.ts', tests: [{ status: 'expected', results: [{}] }] },
            {
              title: 'retried',
              file: 'x.spec.ts',
              tests: [{ status: 'flaky', results: [{ error: { message: 'boom' } }, {}] }],
            },
          ],
          suites: [
            {
              title: 'inner',
              specs: [
                {
                  title: 'broken',
                  file: 'x.spec.ts',
                  tests: [{ status: 'unexpected', results: [{ error: { message: 'no\nmore' } }] }],
                },
                { title: 'later', file: 'x.spec.ts', tests: [{ status: 'skipped', results: [] }] },
              ],
            },
          ],
        },
      ],
    });
    expect(notable).toEqual([
      { status: 'flaky', name: 'x.spec.ts › retried', reason: 'boom' },
      { status: 'failed', name: 'x.spec.ts › broken', reason: 'no' },
      { status: 'skipped', name: 'x.spec.ts › later', reason: undefined },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { suiteFailures } from './test-summary.ts';

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

// How `npm test` counts a suite's failures: the failed tests its report lists, plus one for a
// runner that failed without a failed test to show for it (a crash, a missing report, an
// error outside any test) or that ran nothing. One failed test is one failure, not two.
export function suiteFailures(o: { failed: number; passed: number; runnerOk: boolean }): number {
  const unexplained = !o.runnerOk && o.failed === 0;
  const ranNothing = o.passed === 0 && o.failed === 0;
  return o.failed + (unexplained || ranNothing ? 1 : 0);
}

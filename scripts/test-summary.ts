// How `npm test` counts a suite's failures: the failed tests its report lists, plus one for a
// runner that failed without a failed test to show for it (a crash, a missing report, an
// error outside any test) or that ran nothing. One failed test is one failure, not two.
export function suiteFailures(o: { failed: number; passed: number; runnerOk: boolean }): number {
  const unexplained = !o.runnerOk && o.failed === 0;
  const ranNothing = o.passed === 0 && o.failed === 0;
  return o.failed + (unexplained || ranNothing ? 1 : 0);
}

/** A test worth naming in the summary: CI shows only the tail of the log, so the names go there. */
export interface NotableTest {
  status: 'failed' | 'skipped' | 'flaky';
  name: string;
  /** The first line of the first failure message, when there is one. */
  reason?: string;
}

const firstLine = (text: string | undefined): string | undefined =>
  text
    ?.split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0)
    ?.slice(0, 300);

interface VitestJsonReport {
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

/** Failed, flaky and skipped tests of a vitest JSON report, and files that failed outside any test. */
export function vitestNotable(report: VitestJsonReport, root: string): NotableTest[] {
  const notable: NotableTest[] = [];
  for (const file of report.testResults) {
    const where = file.name.startsWith(root) ? file.name.slice(root.length + 1) : file.name;
    for (const test of file.assertionResults) {
      if (test.status === 'failed') {
        notable.push({
          status: 'failed',
          name: `${where} › ${test.fullName}`,
          reason: firstLine(test.failureMessages?.[0]),
        });
      } else if (test.status === 'passed' && (test.failureMessages?.length ?? 0) > 0) {
        // Vitest keeps the errors of the attempts a retry made good.
        notable.push({
          status: 'flaky',
          name: `${where} › ${test.fullName}`,
          reason: firstLine(test.failureMessages?.[0]),
        });
      } else if (test.status === 'skipped' || test.status === 'pending' || test.status === 'todo') {
        notable.push({ status: 'skipped', name: `${where} › ${test.fullName}` });
      }
    }
    const anyTestFailed = file.assertionResults.some((t) => t.status === 'failed');
    if (file.status === 'failed' && !anyTestFailed) {
      notable.push({ status: 'failed', name: where, reason: firstLine(file.message) });
    }
  }
  return notable;
}

interface PlaywrightSuite {
  title: string;
  file?: string;
  specs?: {
    title: string;
    file: string;
    tests: { status: string; results: { error?: { message?: string } }[] }[];
  }[];
  suites?: PlaywrightSuite[];
}

/** Failed, flaky (passed on a retry) and skipped tests of a Playwright JSON report. */
export function playwrightNotable(report: { suites: PlaywrightSuite[] }): NotableTest[] {
  const notable: NotableTest[] = [];
  const walk = (suite: PlaywrightSuite): void => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) {
        const name = `${spec.file} › ${spec.title}`;
        const reason = firstLine(test.results.find((r) => r.error)?.error?.message);
        if (test.status === 'unexpected') notable.push({ status: 'failed', name, reason });
        else if (test.status === 'flaky') notable.push({ status: 'flaky', name, reason });
        else if (test.status === 'skipped') notable.push({ status: 'skipped', name });
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites) walk(suite);
  return notable;
}

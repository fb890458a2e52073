// The verdict every fault test asserts: the sink is exactly the rule, every bad message is in the
// dead-letter store, and the workers got through without being restarted. Soft assertions, so
// one failing run reports all three.
import { expect } from 'vitest';
import type { Verdict } from './scenario.ts';
import { summarize } from './verdict.ts';

export function expectExactOutcome(v: Verdict, { restarts = [0, 0] } = {}): void {
  expect.soft(v.settleSeconds, `every row final in time\n${v.report}`).toBeDefined();
  expect.soft(summarize(v.sinkProblems), 'sink vs rule').toBe('none');
  expect.soft(summarize(v.deadLetterProblems), 'dead letters').toBe('none');
  expect.soft(v.restarts, 'worker restarts').toEqual(restarts);
  expect(v.expectedRows, 'the load produced checkouts').toBeGreaterThan(100);
}

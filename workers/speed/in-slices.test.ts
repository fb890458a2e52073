import { describe, expect, it } from 'vitest';
import { runInSlices } from './in-slices.ts';

/** Steps that each take about `stepMs` of CPU; records the order of events. */
function* busySteps(steps: number, stepMs: number, log: string[]): Generator<void, string, void> {
  for (let i = 0; i < steps; i++) {
    const until = performance.now() + stepMs;
    while (performance.now() < until);
    log.push('step');
    yield;
  }
  return 'done';
}

describe('runInSlices', () => {
  it('gives the event loop a turn between slices, and returns the result', async () => {
    const log: string[] = [];
    let turning = true;
    const turn = () => {
      if (!turning) return;
      log.push('turn');
      setImmediate(turn);
    };
    setImmediate(turn);
    const result = await runInSlices(busySteps(40, 1, log), 3);
    turning = false;
    expect(result).toBe('done');
    expect(log.filter((e) => e === 'step')).toHaveLength(40);
    // Each step takes at least 1 ms, so a slice of 3 ms holds at most 3 of them (4 if the
    // clock's granularity cuts one short) before the loop gets its turn.
    const runs = log
      .join(' ')
      .split('turn')
      .map((run) => run.split('step').length - 1);
    expect(Math.max(...runs)).toBeLessThanOrEqual(4);
    expect(runs.filter((n) => n > 0).length).toBeGreaterThanOrEqual(10);
  });

  it('runs a short job to its end at once, without a turn', async () => {
    const log: string[] = [];
    const ticker = setImmediate(() => log.push('tick'));
    const result = runInSlices(busySteps(3, 0, log), 3);
    expect(log).toEqual(['step', 'step', 'step']);
    expect(await result).toBe('done');
    clearImmediate(ticker);
  });
});

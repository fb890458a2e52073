import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RESTART_POLICY,
  RestartBackoff,
  backoffDelayMs,
  describeExit,
  formatDuration,
  restartMessage,
  type RestartPolicy,
} from './restart-policy.ts';

const policy: RestartPolicy = {
  initialDelayMs: 1_000,
  factor: 2,
  maxDelayMs: 10_000,
  healthyAfterMs: 60_000,
};

describe('backoffDelayMs', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 10_000],
    [50, 10_000],
  ])('restart %i of a streak waits %i ms', (streak, delay) => {
    expect(backoffDelayMs(policy, streak)).toBe(delay);
  });

  it('never waits less than the initial delay, even for a streak of 0', () => {
    expect(backoffDelayMs(policy, 0)).toBe(1_000);
  });

  it('stays at the cap for huge streaks (no Infinity or NaN)', () => {
    expect(backoffDelayMs(DEFAULT_RESTART_POLICY, 10_000)).toBe(DEFAULT_RESTART_POLICY.maxDelayMs);
  });
});

describe('RestartBackoff', () => {
  it('doubles while runs stay short, and counts every restart', () => {
    const backoff = new RestartBackoff(policy);
    expect([100, 100, 100, 100, 100].map((ran) => backoff.next(ran))).toEqual([
      { delayMs: 1_000, restart: 1 },
      { delayMs: 2_000, restart: 2 },
      { delayMs: 4_000, restart: 3 },
      { delayMs: 8_000, restart: 4 },
      { delayMs: 10_000, restart: 5 },
    ]);
    expect(backoff.restarts).toBe(5);
  });

  it('starts a new streak after a healthy run, but keeps counting restarts', () => {
    const backoff = new RestartBackoff(policy);
    backoff.next(100);
    backoff.next(100);
    expect(backoff.next(100)).toEqual({ delayMs: 4_000, restart: 3 });
    expect(backoff.next(60_000)).toEqual({ delayMs: 1_000, restart: 4 });
    expect(backoff.next(59_999)).toEqual({ delayMs: 2_000, restart: 5 });
  });

  it('treats a run just short of healthy as a failure of the streak', () => {
    const backoff = new RestartBackoff(policy);
    backoff.next(59_999);
    expect(backoff.next(59_999).delayMs).toBe(2_000);
  });
});

describe('log wording', () => {
  it.each([
    [0, '0 ms'],
    [350, '350 ms'],
    [999, '999 ms'],
    [1_000, '1 s'],
    [12_400, '12 s'],
    [60_000, '1 min'],
    [125_000, '2 min 5 s'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('names the exit code, the signal, or a failed start', () => {
    expect(describeExit({ code: 1, signal: null })).toBe('exited with code 1');
    expect(describeExit({ code: null, signal: 'SIGKILL' })).toBe('was killed by SIGKILL');
    expect(describeExit({ code: null, signal: null })).toBe('failed to start');
  });

  it('says what happened, after how long, and what comes next', () => {
    expect(
      restartMessage('worker', { code: 1, signal: null }, 12_000, { delayMs: 2_000, restart: 3 }),
    ).toBe('worker exited with code 1 after 12 s; restarting in 2 s (restart 3)');
  });
});

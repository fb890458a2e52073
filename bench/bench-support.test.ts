import { describe, expect, it } from 'vitest';
import { benchArgs, latencySummary, percentile } from './bench-support.ts';

describe('bench support', () => {
  it('reads --name=value options and ignores the rest', () => {
    expect([...benchArgs(['--events=5', 'peers', '--only=a,b', '-x'])]).toEqual([
      ['events', '5'],
      ['only', 'a,b'],
    ]);
  });

  it('takes nearest-rank percentiles and rounds the summary', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.95)).toBe(95);
    expect(percentile([], 0.5)).toBeNaN();
    expect(latencySummary([3.333, 1.111, 2.222], 1)).toEqual({
      count: 3,
      p50Ms: 2.2,
      p95Ms: 3.3,
      p99Ms: 3.3,
      maxMs: 3.3,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { parseCpuLine } from './meter.ts';

describe('parseCpuLine', () => {
  it('counts idle, iowait and steal as not busy, the rest as busy', () => {
    const stat = 'cpu  100 5 40 800 20 0 10 25 0 0\ncpu0 50 2 20 400 10 0 5 12 0 0\n';
    expect(parseCpuLine(stat)).toEqual({ busy: 155, total: 1000 });
  });

  it('refuses text that is not /proc/stat', () => {
    expect(() => parseCpuLine('intr 1 2 3\n')).toThrow(/not \/proc\/stat/);
  });
});

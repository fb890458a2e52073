import { describe, expect, it } from 'vitest';
import { userPartition } from './user-partition.ts';

describe('userPartition', () => {
  it('is stable and in range, for negative and large ids too', () => {
    for (const id of [0, 1, -1, 100, 2 ** 40 + 7, -(2 ** 45), Number.MAX_SAFE_INTEGER]) {
      const p = userPartition(id, 6);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(6);
      expect(userPartition(id, 6)).toBe(p);
    }
  });

  it('spreads patterned ids over every partition', () => {
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[userPartition(i * 6, 6)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(700);
  });
});

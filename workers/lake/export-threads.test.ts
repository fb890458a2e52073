import { describe, expect, it } from 'vitest';
import { oneShotExportThreads } from './export.ts';

describe('oneShotExportThreads', () => {
  it('on one core, parses and encodes on the main thread', () => {
    expect(oneShotExportThreads(1)).toBe(0);
  });

  it('takes a thread per core from two cores, at most four', () => {
    expect(oneShotExportThreads(2)).toBe(2);
    expect(oneShotExportThreads(3)).toBe(3);
    expect(oneShotExportThreads(16)).toBe(4);
  });
});

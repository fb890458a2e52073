// The user directory's cost before its first use: nothing in proportion to its bounds (lru-cache
// given `max` allocates every slot at once, which cost each worker start ~0.25 s of CPU).
import { describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../lib/db/client.ts';
import { UserDirectory } from './user-directory.ts';

describe('UserDirectory', () => {
  it('allocates nothing for its million names until it holds them', () => {
    const before = process.memoryUsage().arrayBuffers;
    const directory = new UserDirectory({} as PrismaClient, 'postgresql://unused', {
      maxNames: 1_000_000,
      maxMissing: 100_000,
    });
    // With slots for every name: 3 × 4 MB of link and free-list arrays (Uint32Array).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1_000_000);
    expect(directory.size).toBe(0);
  });
});

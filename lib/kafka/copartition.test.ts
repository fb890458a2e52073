import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignPartitionIds, commonPartitionCount } from './copartition.ts';

describe('assignPartitionIds', () => {
  it('gives every partition to exactly one member, balanced', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(
          fc.tuple(fc.nat(6), fc.array(fc.integer({ min: -2, max: 45 }), { maxLength: 10 })),
        ),
        (members, count, prev) => {
          const previous = new Map(prev.map(([i, ps]) => [members[i % members.length]!, ps]));
          const result = assignPartitionIds(members, count, previous);
          const all = [...result.values()].flat().sort((a, b) => a - b);
          expect(all).toEqual(Array.from({ length: count }, (_, i) => i));
          const sizes = [...result.values()].map((l) => l.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('keeps previous ownership when the group does not change', () => {
    const first = assignPartitionIds(['a', 'b'], 6);
    const again = assignPartitionIds(['b', 'a'], 6, first);
    expect(again).toEqual(first);
  });

  it('moves only what it must when a member joins', () => {
    const before = assignPartitionIds(['a', 'b'], 6);
    const after = assignPartitionIds(['a', 'b', 'c'], 6, before);
    const moved = [...after.get('c')!];
    expect(moved).toHaveLength(2);
    for (const m of ['a', 'b']) {
      for (const p of after.get(m)!) expect(before.get(m)).toContain(p);
    }
  });
});

describe('commonPartitionCount', () => {
  it('accepts equal counts and refuses different ones', () => {
    expect(commonPartitionCount({ a: 6, b: 6 })).toBe(6);
    expect(() => commonPartitionCount({ a: 6, b: 3 })).toThrow(/same partition count/);
  });
});

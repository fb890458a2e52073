import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClickIdSet } from './click-id-set';

describe('ClickIdSet', () => {
  it('behaves like a Set under random add / delete / has, through growth and shrinking', () => {
    const id = fc.string({ unit: 'binary', minLength: 1, maxLength: 3 });
    const op = fc.tuple(fc.constantFrom('add', 'delete', 'has'), id);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const set = new ClickIdSet();
        const model = new Set<string>();
        for (const [kind, value] of ops) {
          if (kind === 'add') expect(set.add(value)).toBe(!model.has(value) && !!model.add(value));
          else if (kind === 'delete') expect(set.delete(value)).toBe(model.delete(value));
          else expect(set.has(value)).toBe(model.has(value));
          expect(set.size).toBe(model.size);
        }
        for (const value of model) expect(set.has(value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('survives bulk insertion and deletion of 100k ids', () => {
    const set = new ClickIdSet();
    set.reserve(50_000);
    for (let i = 0; i < 100_000; i++) set.add(`id-${i}`);
    for (let i = 0; i < 100_000; i += 2) set.delete(`id-${i}`);
    expect(set.size).toBe(50_000);
    let wrong = 0;
    for (let i = 0; i < 100_000; i++) if (set.has(`id-${i}`) !== (i % 2 === 1)) wrong++;
    expect(wrong).toBe(0);
    for (let i = 1; i < 100_000; i += 2) set.delete(`id-${i}`);
    expect(set.size).toBe(0);
    expect(set.slotBytes).toBeLessThanOrEqual(16 * 8);
  });
});

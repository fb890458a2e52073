import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes } from './byte-order.ts';
import { compareUuidWords, uuidText, uuidWords } from './uuid-words.ts';

const words = (id: string) => {
  const out = new Uint32Array(4);
  return uuidWords(id, out, 0) ? out : undefined;
};

/** Canonical lowercase UUIDs, with long shared prefixes often. */
const uuid = fc
  .tuple(fc.uuid(), fc.uuid(), fc.integer({ min: 0, max: 36 }))
  .map(([a, b, keep]) => a.slice(0, keep) + b.slice(keep));

describe('uuid words', () => {
  it('round-trip every canonical lowercase UUID', () => {
    fc.assert(
      fc.property(uuid, (id) => {
        const w = words(id);
        expect(w).toBeDefined();
        expect(uuidText(w!, 0)).toBe(id);
      }),
    );
  });

  it('order UUIDs as the byte order of their text', () => {
    fc.assert(
      fc.property(uuid, uuid, (a, b) => {
        const order = Math.sign(compareUuidWords(words(a)!, 0, words(b)!, 0));
        expect(order).toBe(Math.sign(compareBytes(a, b)));
      }),
    );
  });

  it('take exactly the canonical lowercase form, whatever one unit is changed to', () => {
    const canonical = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    fc.assert(
      fc.property(
        uuid,
        fc.integer({ min: 0, max: 35 }),
        fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff })),
        (id, at, unit) => {
          const changed = id.slice(0, at) + String.fromCharCode(unit) + id.slice(at + 1);
          const w = words(changed);
          expect(w !== undefined).toBe(canonical.test(changed));
          if (w) expect(uuidText(w, 0)).toBe(changed);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['uppercase', '8A4F0C3E-1B2D-4E5F-9A8B-7C6D5E4F3A2B'],
    ['one uppercase digit', '8a4f0c3e-1b2d-4e5f-9a8b-7c6d5e4f3a2B'],
    ['no dashes', '8a4f0c3e1b2d4e5f9a8b7c6d5e4f3a2b'],
    ['a dash moved', '8a4f0c3e1-b2d-4e5f-9a8b-7c6d5e4f3a2b'],
    ['not hex', '8a4f0c3e-1b2d-4e5f-9a8b-7c6d5e4f3a2g'],
    ['braces', '{8a4f0c3e-1b2d-4e5f-9a8b-7c6d5e4f3a2}'],
    ['too long', '8a4f0c3e-1b2d-4e5f-9a8b-7c6d5e4f3a2b0'],
    ['a wide character', '8a4f0c3e-1b2d-4e5f-9a8b-7c6d5e4f3a2\u0661'],
    ['empty', ''],
  ])('keep %s as text', (_, id) => {
    expect(words(id)).toBeUndefined();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './keyset-cursor.ts';

describe('keyset cursors', () => {
  it('round-trip any row key', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8_640_000_000_000 }),
        fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }),
        (t, id) => {
          expect(decodeCursor(encodeCursor({ t, id }))).toEqual({ t, id });
        },
      ),
    );
  });

  it.each([
    '',
    '!!',
    'e30',
    Buffer.from('[1.5,"a"]').toString('base64url'),
    Buffer.from('[1,""]').toString('base64url'),
    Buffer.from('[1,"a",2]').toString('base64url'),
    'x'.repeat(401),
  ])('refuses %j', (text) => {
    expect(decodeCursor(text)).toBeUndefined();
  });
});

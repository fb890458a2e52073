import { describe, expect, it } from 'vitest';
import { mergeUserHistory, type UserVersion } from './users-history.ts';

describe('mergeUserHistory (SCD type 2)', () => {
  it('opens the first versions at 1970-01-01', () => {
    const m = mergeUserHistory(
      [],
      [
        { id: 1, username: 'ada' },
        { id: 0, username: 'bob' },
      ],
      5_000,
    );
    expect(m.rows).toEqual([
      { userId: 0, username: 'bob', validFrom: 0, validTo: null, isCurrent: true },
      { userId: 1, username: 'ada', validFrom: 0, validTo: null, isCurrent: true },
    ]);
    expect(m).toMatchObject({ opened: 2, closed: 0, changed: true });
  });

  it('closes and opens on a rename, opens new users at the export time, closes deleted users', () => {
    const history: UserVersion[] = [
      { userId: 1, username: 'ada', validFrom: 0, validTo: null, isCurrent: true },
      { userId: 2, username: 'cy', validFrom: 0, validTo: null, isCurrent: true },
    ];
    const m = mergeUserHistory(
      history,
      [
        { id: 1, username: 'ada2' },
        { id: 3, username: 'dee' },
      ],
      9_000,
    );
    expect(m.rows).toEqual([
      { userId: 1, username: 'ada', validFrom: 0, validTo: 9_000, isCurrent: false },
      { userId: 1, username: 'ada2', validFrom: 9_000, validTo: null, isCurrent: true },
      { userId: 2, username: 'cy', validFrom: 0, validTo: 9_000, isCurrent: false },
      { userId: 3, username: 'dee', validFrom: 9_000, validTo: null, isCurrent: true },
    ]);
    expect(m).toMatchObject({ opened: 2, closed: 2, changed: true });
    expect(history[0]!.isCurrent).toBe(true); // input not mutated
  });

  it('reports no change when names are the same', () => {
    const history: UserVersion[] = [
      { userId: 1, username: 'ada', validFrom: 0, validTo: null, isCurrent: true },
    ];
    expect(mergeUserHistory(history, [{ id: 1, username: 'ada' }], 1).changed).toBe(false);
  });

  it('refuses a history with two current rows for one user', () => {
    const row = { userId: 1, username: 'a', validFrom: 0, validTo: null, isCurrent: true };
    expect(() => mergeUserHistory([row, { ...row }], [], 1)).toThrow(/two current rows/);
  });
});

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareTimeThenId } from './byte-order.ts';
import { ClickStore } from './click-store.ts';

describe('ClickStore', () => {
  it('answers the earliest (time, id) click within [from, to] of a key', () => {
    const store = new ClickStore();
    store.add(1, 'p', 'b', 100);
    store.add(1, 'p', 'a', 100);
    store.add(1, 'p', 'c', 50);
    store.add(1, 'q', 'd', 10);
    store.add(2, 'p', 'e', 10);
    expect(store.earliestInWindow(1, 'p', 0, 1000)).toEqual({ clickId: 'c', time: 50, tag: '' });
    expect(store.earliestInWindow(1, 'p', 51, 1000)).toEqual({ clickId: 'a', time: 100, tag: '' });
    expect(store.earliestInWindow(1, 'p', 100, 100)).toEqual({ clickId: 'a', time: 100, tag: '' });
    expect(store.earliestInWindow(1, 'p', 101, 1000)).toBeUndefined();
    expect(store.earliestInWindow(1, 'p', 0, 49)).toBeUndefined();
    expect(store.earliestInWindow(3, 'p', 0, 1000)).toBeUndefined();
    expect(store).toMatchObject({ keyCount: 3, clickCount: 5 });
    expect(store.clicksOf(1, 'p')).toEqual([
      { clickId: 'c', time: 50, tag: '' },
      { clickId: 'a', time: 100, tag: '' },
      { clickId: 'b', time: 100, tag: '' },
    ]);
    expect(store.clicksOf(9, 'p')).toEqual([]);
  });

  it("keeps each click's tag, and a freed tag number serves a new tag", () => {
    const store = new ClickStore();
    store.add(1, 'p', 'a', 10, 'email');
    store.add(1, 'p', 'b', 20, 'paid_search\u0001spring');
    store.add(2, 'p', 'c', 30, 'email');
    expect(store.clicksOf(1, 'p').map((c) => c.tag)).toEqual(['email', 'paid_search\u0001spring']);
    store.evictBefore(25); // 'a' and 'b' go; 'email' is still used by 'c'
    store.add(3, 'p', 'd', 40, 'display');
    expect(store.earliestInWindow(2, 'p', 0, 100)?.tag).toBe('email');
    expect(store.earliestInWindow(3, 'p', 0, 100)?.tag).toBe('display');
    store.evictBefore(35);
    store.add(4, 'p', 'e', 50, 'referral');
    store.add(4, 'p', 'f', 60);
    expect(store.clicksOf(4, 'p').map((c) => c.tag)).toEqual(['referral', '']);
    expect(store.clicksOf(3, 'p')[0]?.tag).toBe('display');
  });

  it('deduplicates by click id across keys and refuses clicks older than the horizon', () => {
    const store = new ClickStore();
    expect(store.add(1, 'p', 'x', 100)).toBe('added');
    expect(store.add(2, 'q', 'x', 200)).toBe('duplicate');
    expect(store.evictBefore(150)).toBe(1);
    expect(store.add(1, 'p', 'y', 149)).toBe('expired');
    expect(store.add(1, 'p', 'x', 150)).toBe('added'); // x was forgotten with its eviction
    expect(store).toMatchObject({ keyCount: 1, clickCount: 1, horizon: 150 });
  });

  it('matches a naive model under random adds, evictions and queries', () => {
    type Op =
      | { kind: 'add'; user: number; product: string; id: string; time: number }
      | { kind: 'evict'; cutoff: number }
      | { kind: 'query'; user: number; product: string; from: number; to: number };
    const user = fc.integer({ min: 1, max: 3 });
    const product = fc.constantFrom('p', 'q');
    const time = fc.integer({ min: 0, max: 60 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant('add' as const),
          user,
          product,
          id: fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }),
          time,
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('evict' as const), cutoff: time }) },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('query' as const),
          user,
          product,
          from: time,
          to: time,
        }),
      },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200, size: 'max' }), (ops) => {
        const store = new ClickStore();
        let model: { user: number; product: string; id: string; time: number }[] = [];
        let horizon = -Infinity;
        for (const o of ops) {
          if (o.kind === 'add') {
            const expected = model.some((m) => m.id === o.id)
              ? 'duplicate'
              : o.time < horizon
                ? 'expired'
                : 'added';
            if (expected === 'added') model.push(o);
            expect(store.add(o.user, o.product, o.id, o.time)).toBe(expected);
          } else if (o.kind === 'evict') {
            horizon = Math.max(horizon, o.cutoff);
            const before = model.length;
            model = model.filter((m) => m.time >= horizon);
            expect(store.evictBefore(o.cutoff)).toBe(before - model.length);
          } else {
            const best = model
              .filter(
                (m) =>
                  m.user === o.user &&
                  m.product === o.product &&
                  m.time >= o.from &&
                  m.time <= o.to,
              )
              .sort((a, b) => compareTimeThenId(a.time, a.id, b.time, b.id))[0];
            const got = store.earliestInWindow(o.user, o.product, o.from, o.to);
            expect(got).toEqual(best ? { clickId: best.id, time: best.time, tag: '' } : undefined);
          }
          expect(store.clickCount).toBe(model.length);
          expect(store.keyCount).toBe(new Set(model.map((m) => `${m.user}/${m.product}`)).size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('evicts through the time queue with out-of-order inserts and compaction', () => {
    const store = new ClickStore();
    for (let i = 0; i < 1000; i++) store.add(1, 'p', `k${i}`, 1000 - i); // reverse order
    for (let cutoff = 0; cutoff <= 1010; cutoff += 10) {
      store.evictBefore(cutoff);
      expect(store.clickCount).toBe(Math.max(0, Math.min(1000, 1001 - cutoff)));
      const first = store.earliestInWindow(1, 'p', -Infinity, Infinity);
      if (store.clickCount > 0) expect(first?.time).toBe(Math.max(1, cutoff));
    }
    expect(store.keyCount).toBe(0);
  });

  it.each([
    // [users, products, clicks, limit]: 20 clicks per key, then 4 per key, then 1 per key.
    [100, 100, 200_000, 110],
    [100, 500, 200_000, 140],
    [200_000, 1, 200_000, 250],
  ])(
    'measures memory per retained click: %i users x %i products, %i UUID clicks',
    (users, products, n, limit) => {
      const script = fileURLToPath(
        new URL('../../test/domain/measure-click-store.ts', import.meta.url),
      );
      const args = [
        '--expose-gc',
        '--import',
        'tsx',
        script,
        String(users),
        String(products),
        String(n),
      ];
      const out = execFileSync(process.execPath, args, { encoding: 'utf8' });
      const m = JSON.parse(out) as {
        keys: number;
        clicks: number;
        bytesPerClick: number;
        estimatePerClick: number;
      };
      console.log(
        `click store, ${m.keys} keys x ${m.clicks / m.keys} clicks: ` +
          `${m.bytesPerClick.toFixed(1)} bytes per retained click incl. its id string; ` +
          `estimate ${m.estimatePerClick.toFixed(1)}`,
      );
      expect(m.clicks).toBe(n);
      expect(m.bytesPerClick).toBeLessThan(limit);
      expect(Math.abs(m.estimatePerClick - m.bytesPerClick) / m.bytesPerClick).toBeLessThan(0.2);
    },
    30_000,
  );
});

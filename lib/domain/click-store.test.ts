import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareTimeThenId } from './byte-order.ts';
import { ClickStore, type KeyClicks } from './click-store.ts';
import { MAX_EVENT_TIME, MIN_EVENT_TIME } from './timestamp.ts';

/** A canonical UUID made from `i` (held as 16 bytes by the store). */
const randomUuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

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
  }, 60_000);

  it('matches a reference model with UUID, uppercase and other ids, ties, eviction and restore', () => {
    // A few UUIDs that share prefixes (so that compact words and texts meet in comparisons),
    // their uppercase forms and near misses (kept as strings), and short ids.
    const uuids = [
      '00000000-0000-0000-0000-000000000000',
      '00000000-0000-0000-0000-00000000000a',
      '0000000a-0000-0000-0000-000000000000',
      '7f000000-ffff-0000-0000-000000000001',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '8a4f0c3e-1b2d-4e5f-9a8b-7c6d5e4f3a2b',
    ];
    const idArb = fc.oneof(
      fc.constantFrom(...uuids),
      fc.constantFrom(...uuids).map((u) => u.toUpperCase()),
      fc.constantFrom(...uuids).map((u) => u.slice(0, 35) + 'g'),
      fc.constantFrom(...uuids).map((u) => u.replaceAll('-', '')),
      fc.constantFrom(...uuids).map((u) => u.slice(0, 20)),
      fc.uuid(),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
      // UTF-16 order and byte order disagree here: an astral character against U+E000..U+FFFF.
      fc.constantFrom('\u{1F600}', '\uFFFD', 'a\u{10000}', 'a\uE000'),
    );
    type Op =
      | { kind: 'add'; user: number; product: string; id: string; time: number; tag: string }
      | { kind: 'evict'; cutoff: number }
      | { kind: 'lower'; horizon: number }
      | { kind: 'query'; user: number; product: string; from: number; to: number }
      | { kind: 'has'; id: string }
      | { kind: 'restore' };
    // User ids on both sides of the int32 range, and its smallest value (which marks a big one).
    const user = fc.constantFrom(
      0,
      -0,
      7,
      2 ** 31 - 1,
      2 ** 31,
      -(2 ** 31),
      -(2 ** 31) - 1,
      2 ** 40,
      -(2 ** 33) - 1,
      Number.MAX_SAFE_INTEGER,
    );
    const product = fc.constantFrom('', 'ü');
    // Times close together and 2^31 ms apart or more: offsets from the epoch that do not fit.
    const time = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 15 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          -(2 ** 31),
          -(2 ** 31) - 1,
          2 ** 31 - 1,
          2 ** 31,
          2 ** 32 + 3,
          MIN_EVENT_TIME,
          MAX_EVENT_TIME,
        ),
      },
    );
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          kind: fc.constant('add' as const),
          user,
          product,
          id: idArb,
          time,
          tag: fc.constantFrom('', 'email', 'paid\u0001spring'),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('evict' as const), cutoff: time }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('lower' as const), horizon: time }) },
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
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('has' as const), id: idArb }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const) }) },
    );
    type Model = { id: string; time: number; tag: string };
    const byTimeThenId = (a: Model, b: Model) => compareTimeThenId(a.time, a.id, b.time, b.id);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => {
        let store = new ClickStore();
        // Keys in the order they were made (a Map keeps insertion order; a key made again after
        // its clicks were all evicted goes last), as the store lists them.
        const model = new Map<string, { user: number; product: string; clicks: Model[] }>();
        let horizon = -Infinity;
        const keyName = (u: number, p: string) => `${u === 0 ? 0 : u}/${p}`;
        const all = () => [...model.values()].flatMap((k) => k.clicks);
        for (const o of ops) {
          if (o.kind === 'add') {
            const expected = all().some((m) => m.id === o.id)
              ? 'duplicate'
              : o.time < horizon
                ? 'expired'
                : 'added';
            expect(store.add(o.user, o.product, o.id, o.time, o.tag)).toBe(expected);
            if (expected === 'added') {
              const name = keyName(o.user, o.product);
              const key = model.get(name) ?? { user: o.user, product: o.product, clicks: [] };
              model.set(name, key);
              key.clicks.push({ id: o.id, time: o.time, tag: o.tag });
              key.clicks.sort(byTimeThenId);
            }
          } else if (o.kind === 'evict') {
            const before = all().length;
            if (o.cutoff > horizon) horizon = o.cutoff;
            for (const [name, key] of model) {
              key.clicks = key.clicks.filter((m) => m.time >= horizon);
              if (key.clicks.length === 0) model.delete(name);
            }
            expect(store.evictBefore(o.cutoff)).toBe(before - all().length);
          } else if (o.kind === 'lower') {
            if (o.horizon < horizon) horizon = o.horizon;
            store.lowerHorizon(o.horizon);
          } else if (o.kind === 'query') {
            const clicks = model.get(keyName(o.user, o.product))?.clicks ?? [];
            const best = clicks.find((m) => m.time >= o.from && m.time <= o.to);
            const got = store.earliestInWindow(o.user, o.product, o.from, o.to);
            expect(got).toEqual(best && { clickId: best.id, time: best.time, tag: best.tag });
            expect(store.clicksOf(o.user, o.product)).toEqual(
              clicks.map((m) => ({ clickId: m.id, time: m.time, tag: m.tag })),
            );
          } else if (o.kind === 'has') {
            expect(store.has(o.id)).toBe(all().some((m) => m.id === o.id));
          } else {
            const keys: KeyClicks[] = [];
            store.forEachKey((k) => keys.push(k));
            store = ClickStore.restore(store.horizon, store.clickCount, keys);
          }
          expect(store.horizon).toBe(horizon);
          expect(store.clickCount).toBe(all().length);
          expect(store.keyCount).toBe(model.size);
          const listed: unknown[] = [];
          store.forEachKey((k) =>
            listed.push({
              user: k.userId,
              product: k.productId,
              clicks: Array.from(k.ids, (id, i) => ({ id, time: k.times[i], tag: k.tags[i] })),
            }),
          );
          expect(listed).toEqual(
            [...model.values()].map((k) => ({ ...k, user: k.user === 0 ? 0 : k.user })),
          );
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('keeps times far from the others exactly, and moves its epoch when the stream moves on', () => {
    const store = new ClickStore();
    const day = 86_400_000;
    const t0 = Date.UTC(2026, 2, 1);
    // The first click is an odd one, decades before the rest: the epoch starts there.
    expect(store.add(1, 'p', 'odd', Date.UTC(1999, 0, 1))).toBe('added');
    for (let i = 0; i < 3_000; i++) store.add(2, 'p', `a${i}`, t0 + i);
    expect(store.clicksOf(1, 'p')).toEqual([
      { clickId: 'odd', time: Date.UTC(1999, 0, 1), tag: '' },
    ]);
    expect(store.clicksOf(2, 'p').map((c) => c.time)).toEqual(
      Array.from({ length: 3_000 }, (_, i) => t0 + i),
    );
    // 40 days later (past an int32 of milliseconds from the first clicks), in reverse order,
    // with ten of the old clicks still retained.
    const t1 = t0 + 40 * day;
    expect(store.evictBefore(t0 + 2_990)).toBe(2_991);
    for (let i = 0; i < 3_000; i++) store.add(3, 'p', `b${i}`, t1 - i);
    store.add(3, 'p', 'b-first', t1 - 3_600_000);
    const b = store.clicksOf(3, 'p');
    expect(b[0]).toEqual({ clickId: 'b-first', time: t1 - 3_600_000, tag: '' });
    expect(b.slice(1).map((c) => c.time)).toEqual(
      Array.from({ length: 3_000 }, (_, i) => t1 - 2_999 + i),
    );
    expect(store.earliestInWindow(3, 'p', t1 - 10, Infinity)?.time).toBe(t1 - 10);
    // Far clicks cost a map entry each: the store moved its epoch to the new ones, and holds
    // them about as cheaply as a store that never saw the others.
    const near = new ClickStore();
    for (let i = 0; i <= 3_010; i++) near.add(3, 'p', `b${i}`, t1 - i);
    expect(store.estimateHeapBytes()).toBeLessThan(near.estimateHeapBytes() + 1_100 * 40);
    expect(store.clicksOf(2, 'p').map((c) => c.time)).toEqual(
      Array.from({ length: 10 }, (_, i) => t0 + 2_990 + i),
    );
    expect(store.evictBefore(t1 - 4)).toBe(10 + 1 + 2_995);
    expect(store.clicksOf(3, 'p').map((c) => c.time)).toEqual([4, 3, 2, 1, 0].map((i) => t1 - i));
  });

  it('clones into a store that answers the same and changes apart from the original', () => {
    const store = new ClickStore();
    const t0 = Date.UTC(2026, 2, 1);
    for (let i = 0; i < 2_000; i++) {
      store.add(i % 7, `p${i % 13}`, i % 2 ? `k${i}` : randomUuid(i), t0 + (i % 500), `t${i % 3}`);
    }
    store.add(2 ** 40, 'p0', 'big-user', t0 + 5);
    store.add(1, 'p0', 'far', Date.UTC(1999, 0, 1));
    const listing = (s: ClickStore) => {
      const keys: KeyClicks[] = [];
      s.forEachKey((k) => keys.push({ ...k, times: Array.from(k.times) }));
      return keys;
    };
    const before = listing(store);
    const clone = store.clone();
    expect(listing(clone)).toEqual(before);
    // The original moves on: evictions free slots and keys, new clicks take them.
    store.evictBefore(t0 + 250);
    for (let i = 0; i < 500; i++) store.add(99, 'new', `n${i}`, t0 + 1_000 + i, 'fresh');
    expect(listing(clone)).toEqual(before);
    expect(clone.clickCount).toBe(2_002);
    // And the clone on its own: it deduplicates and evicts by its own state.
    expect(clone.add(0, 'p0', 'k1', t0)).toBe('duplicate');
    expect(clone.add(0, 'p0', 'n1', t0 + 1)).toBe('added');
    expect(clone.evictBefore(t0 + 1)).toBe(1 + 4); // 'far' and the four at t0; 'n1' stays
    expect(store.has('n1')).toBe(true);
    expect(clone.has('n1')).toBe(true);
    expect(store.has('k1')).toBe(false);
  });

  it('holds tags and products past one byte and two bytes of numbers', () => {
    const store = new ClickStore();
    const n = 70_000;
    for (let i = 0; i < n; i++) store.add(i % 3, `product-${i}`, `c${i}`, 1_000 + i, `tag-${i}`);
    for (const i of [0, 255, 256, 65_535, 65_536, n - 1]) {
      expect(store.clicksOf(i % 3, `product-${i}`)).toEqual([
        { clickId: `c${i}`, time: 1_000 + i, tag: `tag-${i}` },
      ]);
    }
    expect(store.evictBefore(1_000 + n - 1)).toBe(n - 1);
    expect(store.clicksOf((n - 1) % 3, `product-${n - 1}`)[0]?.tag).toBe(`tag-${n - 1}`);
  });

  it('keeps its key order through many evictions and new keys (compaction)', () => {
    const store = new ClickStore();
    const live: number[] = [];
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 40; i++) {
        const user = round * 100 + i;
        store.add(user, 'p', `c${user}`, round * 10 + (i % 10));
        live.push(user);
      }
      store.evictBefore(round * 10 + 5); // about half of this round's keys go, and older ones
      live.splice(
        0,
        live.length,
        ...live.filter((u) => Math.floor(u / 100) * 10 + (u % 10) >= round * 10 + 5),
      );
      const users: number[] = [];
      store.forEachKey((k) => users.push(k.userId));
      expect(users).toEqual(live);
    }
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
    // Measured 47, 54 and 81 with UUID ids held as 16 bytes and keys as numbered slots; 39, 44
    // and 62 with times as int32 offsets, user ids as int32, a byte per tag and per product
    // while they are few, and no slot for a key's last click.
    [100, 100, 200_000, 44],
    [100, 500, 200_000, 50],
    [200_000, 1, 200_000, 68],
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

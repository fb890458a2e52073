import { describe, expect, it } from 'vitest';
import { AttributionPartition } from './partition-engine.ts';
import {
  at,
  END,
  finalClicks,
  finalRows,
  LATENESS_MS,
  makeCheckout as checkout,
  makeClick as click,
  newEngine,
  run,
  SOURCES,
  type Step,
} from '../../test/domain/engine-fixtures.ts';

const HOUR = 3_600_000;

describe('AttributionPartition: the worked cases of the spec, in arrival order', () => {
  it('1: a click exactly one hour before the checkout is attributed', () => {
    const { rows } = run([
      { click: click('k', at('10:00')) },
      { seen: at('10:30') },
      { checkout: checkout('c', at('11:00')) },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c: 'k' });
  });

  it('2: a click one hour and 1 ms before the checkout is not', () => {
    const { rows } = run([
      { click: click('k', at('09:59:59.999')) },
      { checkout: checkout('c', at('11:00')) },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c: null });
  });

  it('3: click and checkout at the same millisecond', () => {
    const { rows } = run([
      { checkout: checkout('c', at('10:30')) },
      { click: click('k', at('10:30')) },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c: 'k' });
  });

  it('4: a click 1 ms after the checkout is not attributed and does not rewrite the row', () => {
    const { rows } = run([
      { checkout: checkout('c', at('10:30')) },
      { click: click('k', at('10:30:00.001')) },
      END,
    ]);
    expect(rows.map((r) => [r.isFinal, r.clickId])).toEqual([
      [false, null],
      [true, null],
    ]);
  });

  it('5: clicks at 10:05 and 10:20, checkout at 10:30: the 10:05 click', () => {
    const { rows } = run([
      { click: click('k05', at('10:05')) },
      { click: click('k20', at('10:20')) },
      { checkout: checkout('c', at('10:30')) },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c: 'k05' });
  });

  it('6: two clicks at the same ms: the smaller id in byte order, whatever the arrival order', () => {
    const { rows } = run([
      { click: click('b-click', at('10:05')) },
      { checkout: checkout('c', at('10:05')) },
      { click: click('a-click', at('10:05')) },
      END,
    ]);
    expect(rows.map((r) => r.clickId)).toEqual(['b-click', 'a-click', 'a-click']);
    expect(finalClicks(rows)).toEqual({ c: 'a-click' });
  });

  it('6b: byte order, not UTF-16 order, breaks the tie', () => {
    const { rows } = run([
      { click: click('\uff21', at('10:05')) },
      { click: click('\u{1f600}', at('10:05')) },
      { checkout: checkout('c', at('10:30')) },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c: '\uff21' });
  });

  it('7: the earliest click inside the window, not the first click ever (09:00 evicted)', () => {
    const { rows, engine } = run([
      { click: click('k0900', at('09:00')) },
      { click: click('k0940', at('09:40')) },
      { seen: at('10:05') },
      { checkout: checkout('c', at('10:10')) },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c: 'k0940' });
    expect(engine.counters().evictedClicks).toBe(2);
  });

  it('7b: the same with 09:00 still retained when the checkout arrives', () => {
    const { rows } = run([
      { click: click('k0900', at('09:00')) },
      { click: click('k0940', at('09:40')) },
      { checkout: checkout('c', at('10:10')) },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c: 'k0940' });
  });

  it('8: two checkouts of one user and product are attributed each on its own', () => {
    const { rows } = run([
      { click: click('k0930', at('09:30')) },
      { click: click('k1000', at('10:00')) },
      { checkout: checkout('c1010', at('10:10')) },
      { seen: at('10:40') },
      { checkout: checkout('c1050', at('10:50')) },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c1010: 'k0930', c1050: 'k1000' });
  });

  it('9: many unattributed checkouts each get their own final row', () => {
    const steps: Step[] = Array.from({ length: 200 }, (_, i) => ({
      checkout: checkout(`c${i}`, at('10:00') + i, i % 7, `p${i % 3}`),
    }));
    const { rows } = run([...steps, END]);
    const finals = finalRows(rows);
    expect(finals.size).toBe(200);
    expect([...finals.values()].every((r) => r.clickId === null && r.clickTime === null)).toBe(
      true,
    );
  });

  it("10: another user's click on the same product is not attributed", () => {
    const { rows } = run([
      { click: click('k', at('10:00'), 2) },
      { checkout: checkout('c', at('10:30'), 1) },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c: null });
  });

  it('11: a click arriving after the checkout, earlier in event time and within L: row corrected', () => {
    const { rows, counters } = run([
      { checkout: checkout('c', at('10:30')) },
      { seen: at('10:30') },
      { click: click('k', at('10:30') - LATENESS_MS) },
      END,
    ]);
    expect(rows.map((r) => [r.isFinal, r.clickId])).toEqual([
      [false, null],
      [false, 'k'],
      [true, 'k'],
    ]);
    expect(counters.lateClicks).toBe(0);
    expect(counters.correctedRows).toBe(1);
  });

  it('12: the same click_id twice counts once; the same checkout_id twice gives one row', () => {
    const { rows, counters } = run([
      { click: click('k', at('10:10')) },
      { click: click('k', at('10:00')) },
      { click: click('j', at('10:05')) },
      { checkout: checkout('c', at('10:30')) },
      { checkout: checkout('c', at('10:40')) },
      END,
      { checkout: checkout('c', at('10:30')) },
    ]);
    expect(finalClicks(rows)).toEqual({ c: 'j' });
    expect(rows).toHaveLength(2); // provisional + final
    expect(rows[1]?.checkoutTime).toBe(at('10:30'));
    expect(counters).toMatchObject({ clicks: 2, duplicateClicks: 1, duplicateCheckouts: 2 });
  });

  it('12b: the same checkout_id under another user id is a conflict, never a row or state', () => {
    const { rows, conflicts, counters } = run([
      { click: click('k', at('10:00'), 2) },
      { checkout: checkout('c', at('10:30'), 1) },
      // Pending: the copy under user 2 is told from a re-delivery by its user id.
      { checkout: checkout('c', at('10:31'), 2) },
      { checkout: checkout('c', at('10:30'), 1) },
      END,
      // Finalized: the remembered id keeps its user id too.
      { checkout: checkout('c', at('10:30'), 3) },
      { checkout: checkout('c', at('10:30'), 1) },
    ]);
    expect(rows.map((r) => [r.userId, r.isFinal, r.clickId])).toEqual([
      [1, false, null],
      [1, true, null],
    ]);
    expect(
      conflicts.map((c) => [c.ownerUserId, c.row.userId, c.row.isFinal, c.row.clickId]),
    ).toEqual([
      [1, 2, true, 'k'],
      [1, 3, true, null],
    ]);
    expect(counters).toMatchObject({
      checkouts: 1,
      duplicateCheckouts: 2,
      conflictingCheckouts: 2,
    });
  });

  it('13: a checkout by an unknown user is written, without a name, flagged', () => {
    const { rows } = run([
      { checkout: checkout('c100', at('10:30'), 100), unknownUser: true },
      { checkout: checkout('c7', at('10:30'), 7), userName: 'ada' },
      END,
    ]);
    const finals = finalRows(rows);
    expect(finals.get('c100')).toMatchObject({ userName: '', isUnknownUser: true, userId: 100 });
    expect(finals.get('c7')).toMatchObject({ userName: 'ada', isUnknownUser: false });
  });
});

describe('AttributionPartition: finality, corrections and lateness', () => {
  it('keeps a checkout provisional while watermark <= its time, final once it passes', () => {
    const t = at('10:30');
    const engine = newEngine();
    engine.onCheckout(checkout('c', t), {}, 'ada');
    expect(engine.drain().rows.map((r) => r.isFinal)).toEqual([false]);
    for (const source of ['clicks/0', 'checkouts/0']) {
      engine.onMarker({ source, maxEventTime: t + LATENESS_MS, idle: false });
    }
    expect(engine.watermark).toBe(t);
    expect(engine.drain().rows).toEqual([]);
    engine.onMarker({ source: 'clicks/0', maxEventTime: t + LATENESS_MS + 1, idle: false });
    expect(engine.drain().rows).toEqual([]); // checkouts/0 still holds the watermark at t
    engine.onMarker({ source: 'checkouts/0', maxEventTime: t + LATENESS_MS + 1, idle: false });
    const rows = engine.drain().rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ checkoutId: 'c', isFinal: true, isLate: false });
  });

  it('writes the row with every checkout column and the user name', () => {
    const { rows } = run([
      { click: click('k', at('10:00'), 3, 'lamp') },
      { checkout: checkout('c', at('10:30'), 3, 'lamp'), userName: 'grace' },
    ]);
    expect(rows[0]).toEqual({
      checkoutId: 'c',
      userId: 3,
      userName: 'grace',
      isUnknownUser: false,
      productId: 'lamp',
      paymentMethod: 'card',
      totalAmount: '19.90',
      shippingAddress: 'ship',
      billingAddress: 'bill',
      userAgent: 'ua',
      ipAddress: '10.0.0.2',
      checkoutTime: at('10:30'),
      clickId: 'k',
      clickTime: at('10:00'),
      clickTag: '',
      isFinal: false,
      isLate: false,
      triggerMessageTime: null,
    });
  });

  it('applies a click exactly at the window start that arrives after its checkout', () => {
    const engine = new AttributionPartition({
      allowedLatenessMs: 2 * HOUR,
      expectedSources: ['clicks/0', 'checkouts/0'],
    });
    const { rows } = run(
      [
        { checkout: checkout('c', at('11:00')) },
        { click: click('outside', at('09:59:59.999')) },
        { click: click('edge', at('10:00')) },
        END,
      ],
      engine,
    );
    expect(rows.map((r) => [r.isFinal, r.clickId])).toEqual([
      [false, null],
      [false, 'edge'],
      [true, 'edge'],
    ]);
  });

  it('corrects a provisional row only when a click changes the answer', () => {
    const { rows } = run([
      { click: click('k20', at('10:20')) },
      { checkout: checkout('c', at('10:30')) },
      { click: click('k25', at('10:25')) }, // later: no change, no row
      { click: click('k10', at('10:10')) }, // earlier: correction
      { click: click('k40', at('09:40')) }, // earlier but outside the window (09:30 <= t holds)
      END,
    ]);
    expect(rows.map((r) => [r.isFinal, r.clickId])).toEqual([
      [false, 'k20'],
      [false, 'k10'],
      [false, 'k40'],
      [true, 'k40'],
    ]);
  });

  it('re-evaluates every pending checkout whose window holds the click, and only those', () => {
    const { rows } = run([
      { checkout: checkout('c1', at('10:00')) },
      { checkout: checkout('c2', at('10:30')) },
      { checkout: checkout('c3', at('11:00:00.001')) },
      { checkout: checkout('other', at('10:30'), 1, 'q') },
      { click: click('k', at('10:00')) },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c1: 'k', c2: 'k', c3: null, other: null });
  });

  it('counts a late click and still applies it to a non-final checkout', () => {
    const { rows, counters } = run([
      { seen: at('10:00') + LATENESS_MS }, // watermark 10:00
      { checkout: checkout('c', at('10:30')) }, // pending
      { click: click('k', at('09:50')) }, // behind the watermark, inside c's window
      END,
    ]);
    expect(counters.lateClicks).toBe(1);
    expect(rows.map((r) => [r.isFinal, r.clickId])).toEqual([
      [false, null],
      [false, 'k'],
      [true, 'k'],
    ]);
  });

  it('writes a late checkout final at once, flagged, attributed from the retained clicks', () => {
    const { rows, counters } = run([
      { click: click('k', at('09:45')) },
      { seen: at('11:00') }, // watermark 10:59:45: k (>= 09:59:45? no) is evicted
      { click: click('j', at('10:01')) },
      { checkout: checkout('c', at('10:30')) }, // late
    ]);
    expect(rows).toEqual([
      expect.objectContaining({ checkoutId: 'c', clickId: 'j', isFinal: true, isLate: true }),
    ]);
    expect(counters).toMatchObject({ lateCheckouts: 1, lateClicks: 1, evictedClicks: 1 });
  });

  it('never changes a final row, even for a click inside its window', () => {
    const { rows, counters } = run([
      { checkout: checkout('c', at('10:30')) },
      { seen: at('10:31') },
      { click: click('k', at('10:29')) },
      END,
    ]);
    expect(rows.map((r) => [r.isFinal, r.clickId])).toEqual([
      [false, null],
      [true, null],
    ]);
    expect(counters.lateClicks).toBe(1);
  });

  it('evicts clicks older than watermark - 1 h and refuses (counts) clicks that old', () => {
    const { engine, counters } = run([
      { click: click('k1', at('09:00')) },
      { click: click('k2', at('09:30')) },
      { click: click('k3', at('09:30'), 2) },
      { seen: at('10:30') + LATENESS_MS }, // watermark 10:30, horizon 09:30
      { click: click('old', at('09:29:59.999')) },
    ]);
    expect(engine.stats()).toMatchObject({ clicks: 2, keys: 2 });
    expect(counters).toMatchObject({
      evictedClicks: 1,
      expiredClicks: 1,
      lateClicks: 1,
      clicks: 3,
    });
  });

  it('forgets a finalized checkout id one hour of watermark after its final row', () => {
    const engine = newEngine();
    const steps: Step[] = [{ checkout: checkout('c', at('10:00')) }, { seen: at('10:01') }];
    run(steps, engine);
    expect(engine.stats().rememberedCheckoutIds).toBe(1);
    run([{ checkout: checkout('c', at('10:00')) }], engine);
    expect(engine.counters().duplicateCheckouts).toBe(1);
    run([{ seen: at('11:02') }], engine);
    expect(engine.stats().rememberedCheckoutIds).toBe(0);
    // A re-delivery that old becomes a late checkout (its row loses to the final one in the sink).
    const { rows } = run([{ checkout: checkout('c', at('10:00')) }], engine);
    expect(rows).toEqual([expect.objectContaining({ isFinal: true, isLate: true })]);
  });

  it('dedupes a click id against retained clicks of other keys too (first wins)', () => {
    const { rows, counters } = run([
      { click: click('k', at('10:00'), 1, 'q') },
      { click: click('k', at('10:00'), 1, 'p') },
      { checkout: checkout('c', at('10:30'), 1, 'p') },
      END,
    ]);
    expect(finalClicks(rows)).toEqual({ c: null });
    expect(counters.duplicateClicks).toBe(1);
  });

  it('counts an idle source at its stamp: finality follows the smallest source', () => {
    const engine = newEngine();
    engine.onCheckout(checkout('c', at('10:30')), {}, 'ada');
    engine.onMarker({ source: 'clicks/0', maxEventTime: at('10:40'), idle: false });
    expect(engine.watermark).toBe(-Infinity); // checkouts/0 never heard from
    engine.onMarker({ source: 'checkouts/0', maxEventTime: at('10:20'), idle: true });
    expect(engine.watermark).toBe(at('10:20') - LATENESS_MS);
    engine.onMarker({ source: 'checkouts/0', maxEventTime: at('10:50'), idle: true });
    expect(engine.watermark).toBe(at('10:40') - LATENESS_MS);
    expect(engine.drain().rows.map((r) => r.isFinal)).toEqual([false, true]);
  });

  it('reports triggerMessageTime from the input that caused each row version', () => {
    const engine = newEngine();
    engine.onCheckout(checkout('c', at('10:30')), { messageTime: 111 }, 'ada');
    engine.onClick(click('k', at('10:29')), { messageTime: 222 });
    for (const source of ['clicks/0', 'checkouts/0']) {
      engine.onMarker({ source, maxEventTime: at('11:00'), idle: false }, { messageTime: 333 });
    }
    expect(engine.drain().rows.map((r) => r.triggerMessageTime)).toEqual([111, 222, 333]);
  });

  it('drain returns counter increments since the previous drain', () => {
    const engine = newEngine();
    engine.onClick(click('k', at('10:00')));
    engine.onClick(click('k', at('10:00')));
    expect(engine.drain().counters).toMatchObject({ clicks: 1, duplicateClicks: 1 });
    engine.onClick(click('j', at('10:00')));
    expect(engine.drain().counters).toMatchObject({ clicks: 1, duplicateClicks: 0 });
    expect(engine.counters()).toMatchObject({ clicks: 2, duplicateClicks: 1 });
  });
});

describe('AttributionPartition snapshots', () => {
  it('refuses to encode with undrained rows', () => {
    const engine = newEngine();
    engine.onCheckout(checkout('c', at('10:30')), {}, 'ada');
    expect(() => engine.encodeSnapshot()).toThrow(/drain/);
  });

  it('restores a state that produces the same future rows and counters', () => {
    const prefix: Step[] = [
      { click: click('k1', at('09:00')) },
      { click: click('k2', at('10:00'), 2, 'é') },
      { checkout: checkout('c1', at('10:05')), userName: 'ada' },
      { checkout: checkout('c2', at('10:20'), 2, 'é'), unknownUser: true },
      { checkout: checkout('c0', at('09:59')) },
      { seen: at('10:00') + LATENESS_MS },
    ];
    const suffix: Step[] = [
      { click: click('k1', at('09:00')) },
      { click: click('k3', at('10:01')) },
      { click: click('k4', at('10:02'), 2, 'é') },
      { checkout: checkout('c1', at('10:05')) },
      { checkout: checkout('c3', at('10:30')) },
      END,
    ];
    const original = run(prefix).engine;
    const restored = AttributionPartition.decode(original.encodeSnapshot());
    expect({ ...restored.stats(), stateBytes: 0 }).toEqual({ ...original.stats(), stateBytes: 0 });
    const a = run(suffix, original);
    const b = run(suffix, restored);
    expect(b.rows).toEqual(a.rows);
    expect(b.counters).toEqual(a.counters);
    expect(a.rows.length).toBeGreaterThan(3);
    expect(restored.encodeSnapshot().equals(original.encodeSnapshot())).toBe(true);
  });

  it('repairs a restored state whose watermark a far-future event poisoned', () => {
    const poisoned = Date.UTC(2099, 0, 1);
    const original = run([{ click: click('k0', at('09:00')) }, { seen: poisoned }]).engine;
    const restored = AttributionPartition.decode(original.encodeSnapshot());
    expect(restored.forgetProgressAfter(at('12:00'))).toEqual(SOURCES);
    expect(restored.watermark).toBe(-Infinity);
    // Clicks and checkouts of the present are on time again, and attributed by the rule.
    const { rows } = run(
      [
        { click: click('k1', at('10:00')) },
        { checkout: checkout('c1', at('10:30')) },
        { seen: at('11:00') },
      ],
      restored,
    );
    expect(rows.at(-1)).toMatchObject({
      checkoutId: 'c1',
      clickId: 'k1',
      isFinal: true,
      isLate: false,
    });
  });

  it('rejects bytes that are not a snapshot or are truncated', () => {
    const bytes = run([{ click: click('k', at('10:00')) }]).engine.encodeSnapshot();
    expect(() => AttributionPartition.decode(Buffer.from('nope'))).toThrow();
    expect(() => AttributionPartition.decode(bytes.subarray(0, bytes.length - 3))).toThrow();
  });

  it('stays within a HOUR of clicks after a long stream (bounded state)', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 6 * 60; i++) {
      const t = at('00:00') + i * 60_000;
      steps.push({ click: click(`k${i}`, t, i % 5) }, { seen: t });
    }
    const { engine } = run(steps);
    expect(engine.stats().clicks).toBeLessThanOrEqual(HOUR / 60_000 + 1);
  });
});

// The worked cases of docs/attribution.md through the implementation (the engine, with clicks
// arriving before their checkouts and after them) and through the test oracle: all must agree.
import { describe, expect, it } from 'vitest';
import {
  attributeBruteForce,
  type Attribution,
  type RuleCheckout,
  type RuleClick,
} from '../../test/domain/oracle.ts';
import { attributedClick, attributionWindow, beats } from './attribution-rule.ts';
import { ClickStore } from './click-store.ts';
import type { Checkout, Click } from './events.ts';
import { AttributionPartition } from './partition-engine.ts';

// Times on 2026-03-01 (UTC) written as HH:MM:SS.mmm.
const at = (hms: string) => Date.parse(`2026-03-01T${hms}Z`);
const click = (clickId: string, time: string, userId = 1, productId = 'p'): RuleClick => ({
  clickId,
  userId,
  productId,
  time: at(time),
});
const checkout = (checkoutId: string, time: string, userId = 1, productId = 'p'): RuleCheckout => ({
  checkoutId,
  userId,
  productId,
  time: at(time),
});

type Attribute = (clicks: RuleClick[], checkouts: RuleCheckout[]) => Attribution[];

/** The engine's final rows, one per checkout id in input order; clicks fed before or after. */
function engine(clicksFirst: boolean): Attribute {
  return (clicks, checkouts) => {
    const partition = new AttributionPartition({ allowedLatenessMs: 0, expectedSources: ['s'] });
    const feedClicks = () => {
      for (const k of clicks) partition.onClick({ ...k, ...clickDetails });
    };
    if (clicksFirst) feedClicks();
    for (const c of checkouts) partition.onCheckout({ ...c, ...checkoutDetails }, {}, 'user');
    if (!clicksFirst) feedClicks();
    partition.onMarker({ source: 's', maxEventTime: Number.MAX_SAFE_INTEGER, idle: false });
    const final = new Map(
      partition
        .drain()
        .rows.filter((r) => r.isFinal)
        .map((r) => [r.checkoutId, { clickId: r.clickId, clickTime: r.clickTime }]),
    );
    const ids = [...new Set(checkouts.map((c) => c.checkoutId))];
    return ids.map((checkoutId) => ({ checkoutId, ...final.get(checkoutId)! }));
  };
}
const clickDetails: Omit<Click, keyof RuleClick> = {
  product: 'n',
  price: 1,
  url: 'u',
  userAgent: 'a',
  ipAddress: 'i',
};
const checkoutDetails: Omit<Checkout, keyof RuleCheckout> = {
  paymentMethod: 'card',
  totalAmount: '1.00',
  shippingAddress: 's',
  billingAddress: 'b',
  userAgent: 'a',
  ipAddress: 'i',
};

describe.each([
  ['the engine, clicks first', engine(true)],
  ['the engine, checkouts first', engine(false)],
  ['the oracle', attributeBruteForce],
])('the worked cases of the spec through %s', (_, attribute: Attribute) => {
  const attributed = (clicks: RuleClick[], checkouts: RuleCheckout[]) =>
    Object.fromEntries(attribute(clicks, checkouts).map((a) => [a.checkoutId, a.clickId]));

  it('1: a click exactly one hour before the checkout is attributed (window inclusive)', () => {
    expect(attributed([click('k', '10:00:00.000')], [checkout('c', '11:00:00.000')])).toEqual({
      c: 'k',
    });
  });

  it('2: a click one hour and 1 ms before the checkout is not', () => {
    expect(attributed([click('k', '09:59:59.999')], [checkout('c', '11:00:00.000')])).toEqual({
      c: null,
    });
  });

  it('3: a click at the same millisecond as the checkout is attributed', () => {
    expect(attributed([click('k', '10:30:00.000')], [checkout('c', '10:30:00.000')])).toEqual({
      c: 'k',
    });
  });

  it('4: a click 1 ms after the checkout is not attributed to it', () => {
    expect(attributed([click('k', '10:30:00.001')], [checkout('c', '10:30:00.000')])).toEqual({
      c: null,
    });
  });

  it('5: of clicks at 10:05 and 10:20, a 10:30 checkout gets the 10:05 one', () => {
    const clicks = [click('k20', '10:20:00.000'), click('k05', '10:05:00.000')];
    expect(attributed(clicks, [checkout('c', '10:30:00.000')])).toEqual({ c: 'k05' });
  });

  it('6: two clicks at the same ms: the smaller id in byte order wins', () => {
    const clicks = [click('b-click', '10:05:00.000'), click('a-click', '10:05:00.000')];
    expect(attributed(clicks, [checkout('c', '10:30:00.000')])).toEqual({ c: 'a-click' });
  });

  it('6b: the tie-break is UTF-8 byte order, not UTF-16 order', () => {
    // U+FF21 < U+1F600 in UTF-8 bytes, while '\uff21' > '\ud83d…' as UTF-16 code units.
    const clicks = [click('\u{1f600}', '10:05:00.000'), click('\uff21', '10:05:00.000')];
    expect(attributed(clicks, [checkout('c', '10:30:00.000')])).toEqual({ c: '\uff21' });
  });

  it("7: the earliest click inside the window wins, not the user's first click ever", () => {
    const clicks = [click('k0900', '09:00:00.000'), click('k0940', '09:40:00.000')];
    expect(attributed(clicks, [checkout('c', '10:10:00.000')])).toEqual({ c: 'k0940' });
  });

  it('8: two checkouts of one user and product are attributed each on its own', () => {
    const clicks = [click('k0930', '09:30:00.000'), click('k1000', '10:00:00.000')];
    const checkouts = [checkout('c1010', '10:10:00.000'), checkout('c1050', '10:50:00.000')];
    expect(attributed(clicks, checkouts)).toEqual({ c1010: 'k0930', c1050: 'k1000' });
  });

  it('9: many unattributed checkouts each get their row', () => {
    const checkouts = Array.from({ length: 50 }, (_, i) => checkout(`c${i}`, '10:00:00.000', i));
    const result = attribute([], checkouts);
    expect(result).toHaveLength(50);
    expect(new Set(result.map((r) => r.checkoutId)).size).toBe(50);
    expect(result.every((r) => r.clickId === null && r.clickTime === null)).toBe(true);
  });

  it("10: another user's click on the product is not attributed", () => {
    expect(attributed([click('k', '10:00:00.000', 2)], [checkout('c', '10:30:00.000', 1)])).toEqual(
      { c: null },
    );
  });

  it('10b: a click on another product is not attributed', () => {
    const clicks = [click('k', '10:00:00.000', 1, 'other')];
    expect(attributed(clicks, [checkout('c', '10:30:00.000', 1, 'p')])).toEqual({ c: null });
  });

  it('11: arrival order does not matter to the rule (a click listed after the checkout)', () => {
    const result = attribute([click('k', '10:29:50.000')], [checkout('c', '10:30:00.000')]);
    expect(result).toEqual([{ checkoutId: 'c', clickId: 'k', clickTime: at('10:29:50.000') }]);
  });

  it('12: the same click_id twice counts once (first wins); the same checkout_id twice: one row', () => {
    const clicks = [
      click('k', '10:10:00.000'),
      click('k', '10:00:00.000'),
      click('j', '10:05:00.000'),
    ];
    const checkouts = [checkout('c', '10:30:00.000'), checkout('c', '10:40:00.000')];
    expect(attribute(clicks, checkouts)).toEqual([
      { checkoutId: 'c', clickId: 'j', clickTime: at('10:05:00.000') },
    ]);
  });

  it('13: a checkout by an unknown user still gets a result (the engine adds the user flags)', () => {
    expect(attribute([], [checkout('c', '10:30:00.000', 100)])).toEqual([
      { checkoutId: 'c', clickId: null, clickTime: null },
    ]);
  });
});

describe('the decision', () => {
  const T = at('11:00:00.000');

  it('has an inclusive one-hour window ending at the checkout', () => {
    expect(attributionWindow(T)).toEqual({ from: at('10:00:00.000'), to: T });
  });

  it('prefers the earlier click, then the smaller id in UTF-8 byte order', () => {
    expect(beats({ clickId: 'z', time: 1 }, { clickId: 'a', time: 2 })).toBe(true);
    expect(beats({ clickId: '\uff21', time: 1 }, { clickId: '\u{1f600}', time: 1 })).toBe(true);
    expect(beats({ clickId: 'a', time: 1 }, { clickId: 'a', time: 1 })).toBe(false);
  });

  it("attributes from the store's clicks of the checkout's user and product only", () => {
    const store = new ClickStore();
    store.add(1, 'p', 'before', T - 3_600_001);
    store.add(1, 'p', 'edge', T - 3_600_000);
    store.add(2, 'p', 'other-user', T - 3_600_000);
    store.add(1, 'q', 'other-product', T - 3_600_000);
    expect(attributedClick(store, { userId: 1, productId: 'p', time: T })).toEqual({
      clickId: 'edge',
      time: T - 3_600_000,
      tag: '',
    });
    expect(attributedClick(store, { userId: 1, productId: 'p', time: T - 1 })?.clickId).toBe(
      'before',
    );
    expect(attributedClick(store, { userId: 3, productId: 'p', time: T })).toBeUndefined();
  });
});

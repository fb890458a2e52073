import { describe, expect, it } from 'vitest';
import { attributeBruteForce } from '../../../lib/domain/attribution-rule.ts';
import type { Checkout, Click } from '../../../lib/domain/events.ts';
import { backfillStream, parseStream } from './generated-stream.ts';
import { StreamingAttribution } from './speed-oracle.ts';

const click = (clickId: string, time: number, userId = 1, productId = 'p'): Click => ({
  clickId,
  userId,
  productId,
  time,
  product: '',
  price: 1,
  url: '',
  userAgent: '',
  ipAddress: '',
});
const checkout = (checkoutId: string, time: number, userId = 1, productId = 'p'): Checkout => ({
  checkoutId,
  userId,
  productId,
  time,
  paymentMethod: '',
  totalAmount: '1.00',
  shippingAddress: '',
  billingAddress: '',
  userAgent: '',
  ipAddress: '',
});

function runOracle(events: ({ click: Click } | { checkout: Checkout })[], settleEvery: number) {
  const oracle = new StreamingAttribution(60_000);
  const out = [];
  let n = 0;
  for (const e of events) {
    if ('click' in e) oracle.addClick(e.click);
    else oracle.addCheckout(e.checkout);
    if (++n % settleEvery === 0) out.push(...oracle.settle());
  }
  out.push(...oracle.finish());
  return out.map((s) => ({
    checkoutId: s.checkout.checkoutId,
    clickId: s.clickId,
    clickTime: s.clickTime,
  }));
}

const byId = <T extends { checkoutId: string }>(rows: T[]) =>
  [...rows].sort((a, b) => (a.checkoutId < b.checkoutId ? -1 : 1));

describe('StreamingAttribution', () => {
  it('equals the brute-force rule on a generated stream with out-of-order events and duplicates', () => {
    const messages = [
      ...backfillStream({
        end: Date.UTC(2024, 2, 2),
        hours: 2,
        clicksPerSecond: 1,
        seed: 5,
        settings: { users: 5, products: 3, duplicateShare: 0.05 },
      }),
    ];
    const { clicks, checkouts } = parseStream(messages);
    const events = messages.flatMap((m) => {
      const parsed = parseStream([m]);
      return [
        ...parsed.clicks.map((c) => ({ click: c })),
        ...parsed.checkouts.map((c) => ({ checkout: c })),
      ];
    });
    const expected = attributeBruteForce(
      clicks.map((k) => ({
        clickId: k.clickId,
        userId: k.userId,
        productId: k.productId,
        time: k.time,
      })),
      checkouts.map((c) => ({
        checkoutId: c.checkoutId,
        userId: c.userId,
        productId: c.productId,
        time: c.time,
      })),
    );
    expect(expected.length).toBeGreaterThan(1000);
    expect(expected.filter((e) => e.clickId !== null).length).toBeGreaterThan(500);
    expect(byId(runOracle(events, 97))).toEqual(byId(expected));
  });

  it('breaks time ties by the smaller click id in byte order, keeps the first of duplicate ids', () => {
    const t = Date.UTC(2024, 2, 1, 10);
    const rows = runOracle(
      [
        { click: click('b', t) },
        { click: click('\u{1F600}', t) },
        { click: click('\uFFFD', t) },
        { click: click('a', t + 1) },
        { checkout: checkout('c1', t + 10) },
        { checkout: checkout('c1', t + 20) },
      ],
      1,
    );
    expect(rows).toEqual([{ checkoutId: 'c1', clickId: 'b', clickTime: t }]);
  });

  it('attributes a checkout whose window starts exactly at a click, not one a millisecond later', () => {
    const t = Date.UTC(2024, 2, 1, 10);
    const rows = runOracle(
      [
        { click: click('k', t) },
        { checkout: checkout('in', t + 3_600_000) },
        { checkout: checkout('out', t + 3_600_001) },
      ],
      1,
    );
    expect(byId(rows)).toEqual([
      { checkoutId: 'in', clickId: 'k', clickTime: t },
      { checkoutId: 'out', clickId: null, clickTime: null },
    ]);
  });
});

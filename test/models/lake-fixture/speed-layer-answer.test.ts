import { describe, expect, it } from 'vitest';
import type { Checkout, Click } from '../../../lib/domain/events.ts';
import { attributeBruteForce } from '../../domain/oracle.ts';
import { backfillStream, parseStream } from './generated-stream.ts';
import { SpeedLayerAnswer } from './speed-layer-answer.ts';

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

function runAnswer(events: ({ click: Click } | { checkout: Checkout })[], settleEvery: number) {
  const answer = new SpeedLayerAnswer(60_000, () => 'name');
  const out = [];
  let n = 0;
  for (const e of events) {
    if ('click' in e) answer.addClick(e.click);
    else answer.addCheckout(e.checkout);
    if (++n % settleEvery === 0) out.push(...answer.settle());
  }
  out.push(...answer.finish());
  expect(out.every((row) => row.isFinal && !row.isLate)).toBe(true);
  return out.map((row) => ({
    checkoutId: row.checkoutId,
    clickId: row.clickId,
    clickTime: row.clickTime,
  }));
}

const byId = <T extends { checkoutId: string }>(rows: T[]) =>
  [...rows].sort((a, b) => (a.checkoutId < b.checkoutId ? -1 : 1));

describe('SpeedLayerAnswer', () => {
  it('equals the oracle on a generated stream with out-of-order events and duplicates', () => {
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
    expect(byId(runAnswer(events, 97))).toEqual(byId(expected));
  });

  it('breaks time ties by the smaller click id in byte order, keeps the first of duplicate ids', () => {
    const t = Date.UTC(2024, 2, 1, 10);
    const rows = runAnswer(
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
    const rows = runAnswer(
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

  it('names known users and flags unknown ones, as the sink rows do', () => {
    const t = Date.UTC(2024, 2, 1, 10);
    const answer = new SpeedLayerAnswer(60_000, (id) => (id === 1 ? 'ada' : undefined));
    answer.addCheckout(checkout('known', t, 1));
    answer.addCheckout(checkout('unknown', t, 2));
    expect(answer.settle()).toEqual([]);
    const rows = answer.finish();
    expect(rows.map((r) => [r.checkoutId, r.userName, r.isUnknownUser, r.isFinal])).toEqual([
      ['known', 'ada', false, true],
      ['unknown', '', true, true],
    ]);
  });
});

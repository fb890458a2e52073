import { describe, expect, it } from 'vitest';
import type { Checkout } from '../../lib/domain/events.ts';
import { FrameWriter, decodeInternal, encodeMarker } from './internal-wire.ts';

const checkout: Checkout = {
  checkoutId: 'o-1',
  userId: 42,
  productId: 'p-7',
  paymentMethod: 'card',
  totalAmount: '12345678901234567890123456789012345.99',
  shippingAddress: 'Straße 1, 🏠',
  billingAddress: '',
  userAgent: 'ua "quoted"',
  ipAddress: '::1',
  time: Date.UTC(2026, 0, 1, 12, 0, 0, 7),
};

describe('internal frames', () => {
  it('round-trips clicks, checkouts and markers in order, with the frame source', () => {
    const frame = new FrameWriter('clicks/3');
    frame.click(
      { clickId: 'k-1', userId: -9007199254740991, productId: 'p-7', time: 1, tag: 'email' },
      11,
    );
    frame.checkout(checkout, 12);
    frame.marker(null, false);
    frame.marker(Date.UTC(2026, 0, 1), true);
    expect(frame.count).toBe(4);
    expect(decodeInternal(frame.finish())).toEqual([
      {
        kind: 'click',
        click: {
          clickId: 'k-1',
          userId: -9007199254740991,
          productId: 'p-7',
          time: 1,
          tag: 'email',
        },
        meta: { source: 'clicks/3', producedAt: 11 },
      },
      { kind: 'checkout', checkout, meta: { source: 'clicks/3', producedAt: 12 } },
      {
        kind: 'marker',
        marker: { source: 'clicks/3', maxEventTime: null, idle: false, readToEnd: false },
      },
      {
        kind: 'marker',
        marker: {
          source: 'clicks/3',
          maxEventTime: Date.UTC(2026, 0, 1),
          idle: true,
          readToEnd: true,
        },
      },
    ]);
  });

  it('takes back a record on rollback', () => {
    const frame = new FrameWriter('checkouts/0');
    frame.marker(5, false);
    const [bytes, count] = [frame.bytes, frame.count];
    frame.checkout(checkout, 1);
    frame.rollback(bytes, count);
    expect(decodeInternal(frame.finish())).toHaveLength(1);
  });

  it('sends an idle marker as a frame of its own', () => {
    expect(
      decodeInternal(
        encodeMarker({ source: 'clicks/0', maxEventTime: 9, idle: true, readToEnd: true }),
      ),
    ).toEqual([
      {
        kind: 'marker',
        marker: { source: 'clicks/0', maxEventTime: 9, idle: true, readToEnd: true },
      },
    ]);
  });

  it('says whether a batch marker closes a source read to its end', () => {
    const frame = new FrameWriter('clicks/1');
    frame.marker(7, false, true);
    frame.marker(8, false, false);
    expect(decodeInternal(frame.finish()).map((r) => r.kind === 'marker' && r.marker)).toEqual([
      { source: 'clicks/1', maxEventTime: 7, idle: false, readToEnd: true },
      { source: 'clicks/1', maxEventTime: 8, idle: false, readToEnd: false },
    ]);
  });

  it('still reads the JSON records of version 1 left in the topics by an older repartitioner', () => {
    const click = { clickId: 'c', userId: 1, productId: 'p', time: 5 };
    const json = (o: unknown) => Buffer.from(JSON.stringify(o));
    expect(decodeInternal(json({ k: 'c', e: click, s: 'clicks/1', p: 3 }))).toEqual([
      { kind: 'click', click, meta: { source: 'clicks/1', producedAt: 3 } },
    ]);
    expect(decodeInternal(json({ k: 'm', s: 'checkouts/2', t: null, i: true }))).toEqual([
      {
        kind: 'marker',
        marker: { source: 'checkouts/2', maxEventTime: null, idle: true, readToEnd: true },
      },
    ]);
  });

  it('refuses what it cannot read (a bug upstream): unknown format, kind or version, truncation', () => {
    expect(() => decodeInternal(Buffer.alloc(0))).toThrow(/empty/);
    expect(() => decodeInternal(Buffer.from([0x00]))).toThrow(/unknown internal format/);
    expect(() => decodeInternal(Buffer.from([0xc5, 9]))).toThrow(/version 9/);
    const frame = new FrameWriter('clicks/0');
    frame.click({ clickId: 'k', userId: 1, productId: 'p', time: 1 }, 1);
    const bytes = frame.finish();
    expect(() => decodeInternal(bytes.subarray(0, bytes.length - 1))).toThrow(RangeError);
    const badKind = Buffer.concat([new FrameWriter('clicks/0').finish(), Buffer.from([7])]);
    expect(() => decodeInternal(badKind)).toThrow(/kind 7/);
  });
});

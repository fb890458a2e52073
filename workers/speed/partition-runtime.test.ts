import { describe, expect, it } from 'vitest';
import { makeCheckout } from '../../test/domain/engine-fixtures.ts';
import { encodeCaptured, expectedSources, PartitionRuntime } from './partition-runtime.ts';

const marker = (source: string, readToEnd: boolean, idle = false) => ({
  source,
  maxEventTime: 1_000,
  idle,
  readToEnd,
});

describe('PartitionRuntime.caughtUp', () => {
  it('holds once every source’s latest marker says it was read to its end (or is idle)', () => {
    const runtime = PartitionRuntime.fresh(0, expectedSources(2), 15_000);
    expect(runtime.caughtUp).toBe(false);
    runtime.onMarker(marker('clicks/0', true));
    runtime.onMarker(marker('clicks/1', true));
    runtime.onMarker(marker('checkouts/0', true));
    expect(runtime.caughtUp).toBe(false); // checkouts/1 has not said so
    runtime.onMarker(marker('checkouts/1', true, true));
    expect(runtime.caughtUp).toBe(true);
    // New data on one source: a batch that did not reach its end means a backlog again.
    runtime.onMarker(marker('clicks/1', false));
    expect(runtime.caughtUp).toBe(false);
  });

  it('counts a source that joined after the start among those that must be read to the end', () => {
    const runtime = PartitionRuntime.fresh(0, expectedSources(1), 15_000);
    runtime.onMarker(marker('clicks/0', true));
    runtime.onMarker(marker('checkouts/0', true));
    expect(runtime.caughtUp).toBe(true);
    runtime.onMarker(marker('clicks/1', false));
    expect(runtime.caughtUp).toBe(false);
  });
});

describe('PartitionRuntime.drain', () => {
  it('hands the engine’s rows to the sink whole, with their partition and production time', () => {
    const runtime = PartitionRuntime.fresh(4, expectedSources(1), 15_000);
    const time = Date.UTC(2026, 0, 1, 12);
    runtime.onClick(
      { clickId: 'k-1', userId: 7, productId: 'p-1', time: time - 60_000, tag: 'email' },
      { source: 'clicks/0', producedAt: 11 },
    );
    const checkout = {
      checkoutId: 'o-1',
      userId: 7,
      productId: 'p-1',
      paymentMethod: 'card',
      totalAmount: '9.99',
      shippingAddress: 's',
      billingAddress: 'b',
      userAgent: 'ua',
      ipAddress: '::1',
      time,
    };
    runtime.onCheckout(checkout, { source: 'checkouts/0', producedAt: 12 }, 'ada');
    expect(runtime.drain().rows).toEqual([
      {
        producedAt: 12,
        row: {
          checkoutId: 'o-1',
          userId: 7,
          userName: 'ada',
          isUnknownUser: false,
          productId: 'p-1',
          paymentMethod: 'card',
          totalAmount: '9.99',
          shippingAddress: 's',
          billingAddress: 'b',
          userAgent: 'ua',
          ipAddress: '::1',
          checkoutTime: time,
          clickId: 'k-1',
          clickTime: time - 60_000,
          clickTag: 'email',
          isFinal: false,
          isLate: false,
          partition: 4,
        },
      },
    ]);
  });
});

describe('PartitionRuntime.captureSnapshot', () => {
  const click = (i: number) => ({
    clickId: `k-${i}`,
    userId: 1,
    productId: `p-${i}`,
    time: Date.UTC(2026, 0, 1) + i,
    tag: '',
  });
  const meta = { source: 'clicks/0', producedAt: 0 };

  it('takes a base only when allowed: otherwise a delta past a full chain, or nothing', async () => {
    const runtime = PartitionRuntime.fresh(0, expectedSources(1), 15_000);
    runtime.onClick(click(0), meta);
    runtime.drain();
    // No chain yet: without a base there is nothing to add a delta to.
    expect(runtime.captureSnapshot(false)).toBeNull();
    const base = runtime.captureSnapshot(true)!;
    expect(base.snapshot.kind).toBe('base');
    await encodeCaptured(base);
    runtime.snapshotStored(base);
    // Changes larger than the base: the chain is full and wants a new base.
    for (let i = 1; i < 50; i++) runtime.onClick(click(i), meta);
    runtime.drain();
    const delta = runtime.captureSnapshot(false)!;
    expect(delta.snapshot).toMatchObject({ kind: 'delta', seq: 1 });
    runtime.snapshotStored(delta);
    runtime.onClick(click(50), meta);
    runtime.drain();
    expect(runtime.captureSnapshot(true)!.snapshot.kind).toBe('base');
  });
});

describe('encodeCaptured', () => {
  const meta = { source: 'clicks/0', producedAt: 0 };
  const t0 = Date.UTC(2026, 0, 1);
  const click = (i: number, productId = `p-${i % 700}`) => ({
    clickId: `k-${i}`,
    userId: 1 + (i % 3),
    productId,
    time: t0 + i,
    tag: i % 2 ? 'email' : '',
  });
  const checkout = { ...makeCheckout('c-1', t0 + 10_000, 2, 'p-late') };

  it('encodes the base of the capture instant, while the partition goes on', async () => {
    const runtime = PartitionRuntime.fresh(0, expectedSources(1), 15_000);
    const twin = PartitionRuntime.fresh(0, expectedSources(1), 15_000);
    for (const r of [runtime, twin]) {
      for (let i = 0; i < 5_000; i++) r.onClick(click(i), meta);
      r.onClick({ ...click(8_888, 'p-late'), userId: 2, time: t0 + 8_000 }, meta);
      r.onCheckout(checkout, { source: 'checkouts/0', producedAt: 0 }, 'ann');
      r.drain();
    }
    const expected = twin.captureSnapshot(true)!;
    await encodeCaptured(expected);
    const base = runtime.captureSnapshot(true)!;
    base.encoding!.next(); // the first keys
    // Meanwhile the partition takes clicks, among them one that re-attributes the pending
    // checkout in place.
    for (let i = 5_000; i < 6_000; i++) runtime.onClick(click(i), meta);
    runtime.onClick({ ...click(9_999, 'p-late'), userId: 2, time: t0 + 7_000 }, meta);
    // Then the watermark passes the checkout's window: it is final, and every click evicted.
    for (const source of ['clicks/0', 'checkouts/0']) {
      runtime.onMarker({ source, maxEventTime: t0 + 3_700_000, idle: false, readToEnd: true });
    }
    runtime.drain();
    await encodeCaptured(base);
    expect(runtime.stats()).toMatchObject({ clicks: 0, pendingCheckouts: 0 });
    expect(base.snapshot.state.byteLength).toBeGreaterThan(50_000);
    expect(Buffer.from(base.snapshot.state).equals(Buffer.from(expected.snapshot.state))).toBe(
      true,
    );
  });
});

// The anonymous reader's view, field by field: who bought, addresses, IP address, user agent, the
// per-checkout feed and job error texts are gone; figures and the rest stay as they were.
import { describe, expect, it } from 'vitest';
import type { CheckoutExplanation } from './checkout-explanation.ts';
import type { CheckoutPage } from './checkout-queries.ts';
import type { PipelineSnapshot } from './pipeline-snapshot.ts';
import { checkoutDetailFor, checkoutPageFor, jobRunsFor, snapshotFor } from './privacy.ts';
import { appCsp, dbtDocsCsp } from './security-headers.ts';

const row = {
  checkoutId: 'c1',
  userId: '42',
  userName: 'ada',
  isUnknownUser: false,
  productId: '7',
  productName: 'Lamp',
  totalAmount: '19.99',
  paymentMethod: 'card',
  checkoutTime: '2026-11-24T10:00:00.000Z',
  clickId: 'k1',
  clickTime: '2026-11-24T09:59:00.000Z',
  isFinal: true,
  isLate: false,
};

describe('checkoutPageFor', () => {
  const page: CheckoutPage = { personal: true, rows: [row], nextCursor: 'n', prevCursor: null };

  it('keeps everything for the signed-in operator', () => {
    expect(checkoutPageFor(page, true)).toBe(page);
  });

  it('drops who bought for others, and says so', () => {
    const masked = checkoutPageFor(page, false);
    expect(masked.personal).toBe(false);
    expect(masked.rows[0]).toEqual({ ...row, userId: null, userName: null });
    expect(JSON.stringify(masked)).not.toContain('ada');
    expect(masked.nextCursor).toBe('n');
  });
});

describe('checkoutDetailFor', () => {
  const detail = {
    personal: true,
    checkout: {
      ...row,
      shippingAddress: '1 Main St',
      billingAddress: '2 Side St',
      userAgent: 'Mozilla/5.0 (X11)',
      ipAddress: '203.0.113.7',
      partition: 1,
      processedAt: row.checkoutTime,
      firstWrittenAt: row.checkoutTime,
    },
    user: { id: '42', username: 'ada_2', updatedAt: row.checkoutTime },
    product: { id: 7, name: 'Lamp', price: '19.99' },
    timeline: { checkoutTime: 0, windowStart: 0, clicks: [], winnerId: 'k1', agreesWithSink: true },
    clicksNote: null,
    workerError: 'connect ECONNREFUSED 10.0.0.5:9464',
  } as CheckoutExplanation;

  it('hides the buyer, both addresses, the IP address and the browser', () => {
    const masked = checkoutDetailFor(detail, false);
    const text = JSON.stringify(masked);
    for (const secret of [
      '1 Main St',
      '2 Side St',
      'Mozilla',
      '203.0.113.7',
      'ada',
      '"42"',
      '10.0.0.5',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(masked.personal).toBe(false);
    expect(masked.checkout.clickId).toBe('k1');
    expect(masked.product?.name).toBe('Lamp');
    expect(checkoutDetailFor(detail, true)).toBe(detail);
  });
});

describe('snapshotFor and jobRunsFor', () => {
  it('leaves the feed out and the database error unsaid for anonymous readers', () => {
    const snapshot = {
      feed: [{ checkoutId: 'c1', userName: 'ada' }],
      figures: { eventsPerSec: 5 },
      sinkError: 'permission denied for table attributed_checkouts',
      workers: [{ url: 'http://w:9464/metrics', up: false, error: 'ECONNREFUSED 10.0.0.5:9464' }],
    } as unknown as PipelineSnapshot;
    const masked = snapshotFor(snapshot, false)!;
    expect(masked.feed).toEqual([]);
    expect(masked.feedHidden).toBe(true);
    expect(masked.figures).toEqual({ eventsPerSec: 5 });
    expect(masked.sinkError).not.toContain('permission');
    expect(masked.workers[0]?.error).toBe('not answering');
    expect(snapshotFor(snapshot, true)).toBe(snapshot);
    expect(snapshotFor(null, false)).toBeNull();
  });

  it('keeps that a run failed, not why', () => {
    const runs = [{ error: null }, { error: 'ENOENT: /home/op/data/lake/clicks' }];
    expect(jobRunsFor(runs, false).map((r) => r.error)).toEqual([
      null,
      'failed (sign in to see why)',
    ]);
    expect(jobRunsFor(runs, true)).toBe(runs);
  });

  it('keeps which worker ran a job for the operator', () => {
    const runs = [{ error: null, claimedBy: 'jobs 42@db-host-7' }];
    expect(jobRunsFor(runs, false)[0]?.claimedBy).toBeNull();
    expect(jobRunsFor(runs, true)[0]?.claimedBy).toBe('jobs 42@db-host-7');
  });
});

describe('content security policies', () => {
  it('lets the app run only its own and nonce-carrying scripts, and never be framed', () => {
    const csp = appCsp('abc123==');
    expect(csp).toContain("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(appCsp('x', true)).toContain("'unsafe-eval'");
  });

  it('sandboxes the dbt docs in an opaque origin with nothing to load from outside', () => {
    const csp = dbtDocsCsp();
    expect(csp.startsWith('sandbox allow-scripts')).toBe(true);
    expect(csp).not.toContain('allow-same-origin');
    expect(csp).toContain("default-src 'none'");
  });
});

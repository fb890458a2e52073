// Incremental snapshots: a base and the deltas written after it, in order, restore exactly the
// state the last delta was captured from, whatever happened in between (clicks evicted and their
// ids seen again, checkout ids forgotten, deltas captured and never stored, a new base).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Checkout } from './events.ts';
import { AttributionPartition } from './partition-engine.ts';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

const stepArb = fc.record({
  kind: fc.constantFrom(
    'click',
    'click',
    'click',
    'checkout',
    'checkout',
    'marker',
    'marker',
    'base',
    'delta',
    'delta',
    'dropped-delta',
  ),
  user: fc.integer({ min: 1, max: 3 }),
  /** Ids of both forms the journal writes: text, and canonical UUIDs (16 bytes). */
  product: fc.constantFrom('a', 'é', '4f1c2a3b-0000-4000-8000-00000000000b'),
  /** A small id space: ids repeat, also after their click was evicted. */
  id: fc.integer({ min: 0, max: 25 }),
  advance: fc.integer({ min: 0, max: 25 * MINUTE }),
  jitter: fc.integer({ min: 0, max: 70 * MINUTE }),
});

function checkout(id: number, user: number, product: string, time: number): Checkout {
  return {
    checkoutId: `o${id}`,
    userId: user,
    productId: product,
    paymentMethod: 'card',
    totalAmount: '1.00',
    shippingAddress: 's',
    billingAddress: 'b',
    userAgent: 'ua',
    ipAddress: '::1',
    time,
  };
}

describe('incremental snapshots', () => {
  it('restore, from a base and its stored deltas, the exact state of the last one', () => {
    let restores = 0;
    let dropped = 0;
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 20, maxLength: 120 }),
        fc.constantFrom(0, 30_000),
        (steps, latenessMs) => {
          const options = { allowedLatenessMs: latenessMs, expectedSources: ['clicks/0'] };
          const live = new AttributionPartition(options);
          let chain: { base: Buffer; deltas: Buffer[] } | undefined;
          let restored: AttributionPartition | undefined;
          let t = T0;
          for (const step of steps) {
            t += step.advance;
            const feed = (engine: AttributionPartition) => {
              if (step.kind === 'click') {
                engine.onClick({
                  clickId:
                    step.id % 2 === 0
                      ? `k${step.id}`
                      : `00000000-0000-4000-8000-${String(step.id).padStart(12, '0')}`,
                  userId: step.user,
                  productId: step.product,
                  time: t - step.jitter,
                });
              } else if (step.kind === 'checkout') {
                engine.onCheckout(checkout(step.id, step.user, step.product, t), {}, 'name');
              } else if (step.kind === 'marker') {
                engine.onMarker({ source: 'clicks/0', maxEventTime: t - step.jitter, idle: false });
              }
              return JSON.stringify(engine.drain().rows);
            };
            const rows = feed(live);
            if (restored) expect(feed(restored)).toBe(rows);

            if (step.kind === 'base' || (step.kind === 'delta' && !chain)) {
              chain = { base: live.encodeSnapshot(), deltas: [] };
            } else if (step.kind === 'delta' && chain) {
              const { bytes, mark } = live.encodeDelta();
              chain.deltas.push(bytes);
              live.confirmDelta(mark);
            } else if (step.kind === 'dropped-delta') {
              live.encodeDelta(); // captured, never stored: its changes must reach the next one
              dropped++;
              continue;
            } else {
              continue;
            }
            restored = AttributionPartition.decode(chain.base, chain.deltas);
            restores++;
            // Same state: the same full encoding (a base is a canonical dump of the state).
            const probe = AttributionPartition.decode(chain.base, chain.deltas);
            const { bytes, mark } = live.encodeDelta();
            const again = AttributionPartition.decode(chain.base, [...chain.deltas, bytes]);
            expect(again.encodeSnapshot().equals(probe.encodeSnapshot())).toBe(true);
            void mark; // not confirmed: the probe delta holds nothing new, and is not kept
          }
          if (chain) {
            const { bytes } = live.encodeDelta();
            const final = AttributionPartition.decode(chain.base, [...chain.deltas, bytes]);
            expect(final.encodeSnapshot().equals(live.encodeSnapshot())).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
    expect(restores).toBeGreaterThan(1000);
    expect(dropped).toBeGreaterThan(100);
  }, 60_000);
});

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AttributionPartition } from './partition-engine.ts';
import {
  at,
  makeCheckout,
  makeClick,
  newEngine,
  SOURCES,
} from '../../test/domain/engine-fixtures.ts';

/** Stats without the memory estimate, which depends on slab capacities, not on the state. */
const comparable = (engine: AttributionPartition) => ({ ...engine.stats(), stateBytes: 0 });

describe('snapshot codec', () => {
  it('round-trips every part of the state: sources, counters, clicks, pending, remembered ids', () => {
    const engine = newEngine();
    engine.onMarker({ source: SOURCES[0] as string, maxEventTime: at('10:00'), idle: false });
    engine.onMarker({ source: SOURCES[1] as string, maxEventTime: at('10:00'), idle: true });
    engine.onClick(makeClick('k-é', at('09:59'), 1, 'p😀'));
    engine.onClick(makeClick('k-é', at('09:59'), 1, 'p😀')); // duplicate
    engine.onCheckout(makeCheckout('c-late', at('09:00')), {}, undefined);
    engine.onCheckout(
      { ...makeCheckout('c-1', at('10:01'), 1, 'p😀'), totalAmount: '0.05' },
      {},
      'zoë',
    );
    engine.drain();
    const bytes = engine.encodeSnapshot();
    const restored = AttributionPartition.decode(bytes);
    expect(comparable(restored)).toEqual(comparable(engine));
    expect(restored.counters()).toEqual(engine.counters());
    expect(restored.watermark).toBe(at('10:00') - 15_000);
    expect(restored.encodeSnapshot().equals(bytes)).toBe(true);
    // The remembered ids and the pending checkout behave the same after the restore.
    restored.onCheckout(makeCheckout('c-late', at('09:00')), {}, undefined);
    for (const source of SOURCES)
      restored.onMarker({ source, maxEventTime: at('11:00'), idle: false });
    expect(restored.drain().rows).toEqual([
      expect.objectContaining({
        checkoutId: 'c-1',
        userName: 'zoë',
        totalAmount: '0.05',
        clickId: 'k-é',
        isFinal: true,
      }),
    ]);
    expect(restored.counters().duplicateCheckouts).toBe(1);
  });

  it('decodes 1,000,000 retained clicks quickly (prints the figure)', () => {
    const engine = new AttributionPartition({
      allowedLatenessMs: 15_000,
      expectedSources: SOURCES,
    });
    const t0 = at('10:00');
    const n = 1_000_000;
    for (let i = 0; i < n; i++) {
      engine.onClick(
        makeClick(randomUUID(), t0 + (i % 3_000_000), i % 100, `product-${(i >> 7) % 100}`),
      );
    }
    for (let i = 0; i < 1000; i++) {
      engine.onCheckout(makeCheckout(`c${i}`, t0 + 3_000_000 + i, i % 100, 'product-1'), {}, 'u');
    }
    engine.drain();
    let started = performance.now();
    const bytes = engine.encodeSnapshot();
    const encodeMs = performance.now() - started;
    started = performance.now();
    const restored = AttributionPartition.decode(bytes);
    const decodeMs = performance.now() - started;
    console.log(
      `snapshot of ${n} clicks: ${(bytes.length / 1e6).toFixed(1)} MB, ` +
        `encode ${encodeMs.toFixed(0)} ms, decode ${decodeMs.toFixed(0)} ms`,
    );
    expect(comparable(restored)).toEqual(comparable(engine));
    expect(restored.stats().clicks).toBe(n);
    expect(decodeMs).toBeLessThan(10_000);
  }, 120_000);
});

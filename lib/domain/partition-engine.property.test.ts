// Random on-time streams through the engine, checked against the brute-force rule: few users and
// products (collisions), ties to the millisecond, hour-boundary times, duplicate ids, ids with
// multi-byte characters, arrival shuffled within the lateness over several source partitions
// with markers interleaved as the repartitioner sends them, and a snapshot/restore mid-stream.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeBruteForce } from '../../test/domain/oracle.ts';
import { ATTRIBUTION_WINDOW_MS } from './attribution-rule.ts';
import type { Checkout, Click } from './events.ts';
import { AttributionPartition, type CheckoutRow } from './partition-engine.ts';
import type { WatermarkMarker } from './watermark.ts';

const T0 = Date.parse('2026-03-01T08:00:00Z');
const MINUTE = 60_000;

type EventInput = { kind: 'click'; event: Click } | { kind: 'checkout'; event: Checkout };
type Input = EventInput | { kind: 'marker'; marker: WatermarkMarker };

/** Plain checks: this runs ~10^6 of them, too many for expect(). */
function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

/** Times on a minute grid (so exact one-hour gaps are common) nudged onto edges and ties. */
const eventTime = fc
  .tuple(fc.integer({ min: 0, max: 120 }), fc.constantFrom(0, 0, 0, 1, -1, 999, 30_000))
  .map(([minute, nudge]) => T0 + minute * MINUTE + nudge);
const userId = fc.integer({ min: 1, max: 3 });
const productId = fc.constantFrom('p', 'q', 'é');
const idText = fc.string({
  // Mostly characters whose UTF-16 order differs from their UTF-8 byte order.
  unit: fc.constantFrom('a', 'é', '\uff21', '\uffff', '\u{1f600}', '\u{10ffff}'),
  minLength: 1,
  maxLength: 3,
});

const clickArb = fc
  .record({ clickId: idText, userId, productId, time: eventTime })
  .map((c): Click => ({ ...c, product: 'n', price: 1, url: 'u', userAgent: 'a', ipAddress: 'i' }));
const checkoutArb = fc
  .record({
    checkoutId: idText,
    userId,
    productId,
    time: eventTime,
    userAgent: fc.constantFrom('x', 'y'),
  })
  .map((c): Checkout => ({
    ...c,
    paymentMethod: 'card',
    totalAmount: '1.00',
    shippingAddress: 's',
    billingAddress: 'b',
    ipAddress: 'i',
  }));

/** Clicks placed relative to a checkout on its key: window edges, ties and just-outside times. */
const anchoredClickArb = fc.record({
  checkout: fc.nat(),
  clickId: idText,
  /** Milliseconds before the checkout; 'lateness' = L after it, which can put the watermark exactly on it. */
  offset: fc.constantFrom(
    0,
    0,
    1,
    -1,
    ATTRIBUTION_WINDOW_MS,
    ATTRIBUTION_WINDOW_MS + 1,
    ATTRIBUTION_WINDOW_MS - 1,
    10 * MINUTE,
    'lateness' as const,
    'lateness' as const,
  ),
});

/** A re-delivery (exact copy) or a conflicting event reusing an id, within 30 minutes. */
const duplicateSpec = fc.record({
  index: fc.nat(),
  conflicting: fc.boolean(),
  shift: fc.integer({ min: -30, max: 30 }),
  productId,
});

const streamArb = fc.record({
  latenessMs: fc.constantFrom(
    0,
    1,
    15_000,
    10 * MINUTE,
    10 * MINUTE,
    ATTRIBUTION_WINDOW_MS,
    ATTRIBUTION_WINDOW_MS,
    2 * ATTRIBUTION_WINDOW_MS,
  ),
  clicks: fc.uniqueArray(clickArb, { selector: (c) => c.clickId, maxLength: 40, size: 'max' }),
  checkouts: fc.uniqueArray(checkoutArb, {
    selector: (c) => c.checkoutId,
    minLength: 1,
    maxLength: 15,
    size: 'max',
  }),
  anchoredClicks: fc.array(anchoredClickArb, { maxLength: 16, size: 'max' }),
  /** Clicks at the same ms on the same key as another click, under another id: tie-breaks. */
  twins: fc.array(fc.record({ click: fc.nat(), clickId: idText }), { maxLength: 8, size: 'max' }),
  clickDuplicates: fc.array(duplicateSpec, { maxLength: 6, size: 'max' }),
  checkoutDuplicates: fc.array(duplicateSpec, { maxLength: 4, size: 'max' }),
  sourceCount: fc.integer({ min: 1, max: 3 }),
  /** An expected source with no events: never reports (holds the watermark) or goes idle. */
  silentSourceIdleAt: fc.option(fc.nat(), { nil: undefined }),
  hasSilentSource: fc.boolean(),
  /** Per event: arrival jitter in [0, 1] × L, order among equal arrivals, source, marker after it. */
  delivery: fc.array(
    fc.record({
      jitter: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
      tiebreak: fc.nat(),
      source: fc.nat(),
      marker: fc.constantFrom('none', 'none', 'marker', 'idle'),
    }),
    { minLength: 100, maxLength: 100 },
  ),
  snapshotAt: fc.nat(),
});
type Stream = typeof streamArb extends fc.Arbitrary<infer S> ? S : never;

function withDuplicates<E extends { time: number; productId: string }>(
  events: E[],
  specs: Stream['clickDuplicates'],
): E[] {
  if (events.length === 0) return events;
  const copies = specs.map((d) => {
    const original = events[d.index % events.length] as E;
    if (!d.conflicting) return { ...original };
    return { ...original, productId: d.productId, time: original.time + d.shift * MINUTE };
  });
  return [...events, ...copies];
}

/** The arrival sequence: events sorted by time + jitter·L (so each is at most L behind the max seen), with markers. */
function deliver(s: Stream): { inputs: Input[]; sources: string[] } {
  const sources = Array.from({ length: s.sourceCount }, (_, i) => `raw/${i}`);
  // Anchored clicks get ids no generated id has (a '#' suffix), so they are new clicks.
  const anchored = s.anchoredClicks.map((a, i): Click => {
    const c = s.checkouts[a.checkout % s.checkouts.length] as Checkout;
    return {
      clickId: `${a.clickId}#${i}`,
      userId: c.userId,
      productId: c.productId,
      product: 'n',
      price: 1,
      url: 'u',
      userAgent: 'a',
      ipAddress: 'i',
      time: a.offset === 'lateness' ? c.time + s.latenessMs : c.time - a.offset,
    };
  });
  const generated = [...s.clicks, ...anchored];
  const twins =
    generated.length === 0
      ? []
      : s.twins.map((t, i): Click => ({
          ...(generated[t.click % generated.length] as Click),
          clickId: `${t.clickId}~${i}`,
        }));
  const events: EventInput[] = [
    ...withDuplicates([...generated, ...twins], s.clickDuplicates).map((event) => ({
      kind: 'click' as const,
      event,
    })),
    ...withDuplicates(s.checkouts, s.checkoutDuplicates).map((event) => ({
      kind: 'checkout' as const,
      event,
    })),
  ];
  const timed = events.map((input, i) => {
    const d = s.delivery[i % s.delivery.length] as Stream['delivery'][number];
    return { input, arrival: input.event.time + Math.floor(d.jitter * s.latenessMs), i, d };
  });
  timed.sort((a, b) => a.arrival - b.arrival || a.d.tiebreak - b.d.tiebreak || a.i - b.i);

  const maxBySource = new Map<string, number>();
  const inputs: Input[] = [];
  let maxSeen = -Infinity;
  const silent = 'raw/silent';
  timed.forEach(({ input, d }, position) => {
    // The on-time condition of the spec, which this delivery must satisfy by construction.
    if (input.event.time < maxSeen - s.latenessMs)
      throw new Error('generator produced a late event');
    maxSeen = Math.max(maxSeen, input.event.time);
    const source = sources[d.source % sources.length] as string;
    maxBySource.set(source, Math.max(maxBySource.get(source) ?? -Infinity, input.event.time));
    inputs.push(input);
    if (d.marker !== 'none') {
      const maxEventTime = maxBySource.get(source) as number;
      inputs.push({ kind: 'marker', marker: { source, maxEventTime, idle: d.marker === 'idle' } });
    }
    if (
      s.hasSilentSource &&
      s.silentSourceIdleAt !== undefined &&
      s.silentSourceIdleAt % timed.length === position
    ) {
      inputs.push({
        kind: 'marker',
        marker: { source: silent, maxEventTime: -Infinity, idle: true },
      });
    }
  });
  const all = s.hasSilentSource ? [...sources, silent] : sources;
  const end = T0 + 10 * ATTRIBUTION_WINDOW_MS;
  for (const source of all) {
    inputs.push({ kind: 'marker', marker: { source, maxEventTime: end, idle: false } });
  }
  return { inputs, sources: all };
}

function feed(engine: AttributionPartition, input: Input): CheckoutRow[] {
  if (input.kind === 'click') engine.onClick(input.event, {});
  else if (input.kind === 'checkout')
    engine.onCheckout(input.event, {}, `user-${input.event.userId}`);
  else engine.onMarker(input.marker, {});
  return engine.drain().rows;
}

describe('AttributionPartition on random on-time streams', () => {
  it('writes every checkout exactly one final row, equal to the rule; every row it writes is the rule so far', () => {
    // Coverage of the generated streams, asserted after the runs so the generator cannot go stale.
    const seen = {
      runs: 0,
      corrected: 0,
      attributed: 0,
      unattributed: 0,
      duplicates: 0,
      earlyFinals: 0,
    };
    fc.assert(
      fc.property(streamArb, (s) => {
        const { inputs, sources } = deliver(s);
        const options = { allowedLatenessMs: s.latenessMs, expectedSources: sources };
        let engine = new AttributionPartition(options);
        const plain = new AttributionPartition(options);
        const snapshotAt = s.snapshotAt % inputs.length;

        const clicksSoFar: Click[] = [];
        const firstCheckout = new Map<string, Checkout>();
        const lastRow = new Map<string, CheckoutRow>();
        const finals = new Map<string, CheckoutRow>();

        inputs.forEach((input, position) => {
          if (position === snapshotAt)
            engine = AttributionPartition.decode(engine.encodeSnapshot());
          if (input.kind === 'click') clicksSoFar.push(input.event);
          if (input.kind === 'checkout' && !firstCheckout.has(input.event.checkoutId)) {
            firstCheckout.set(input.event.checkoutId, input.event);
          }
          const rows = feed(engine, input);
          // A restored engine behaves exactly like one that never stopped.
          const plainRows = feed(plain, input);
          check(
            JSON.stringify(plainRows) === JSON.stringify(rows),
            () => 'restored engine diverged',
          );

          for (const row of rows) {
            const id = row.checkoutId;
            check(!finals.has(id), () => `a row after the final row of ${id}`);
            const previous = lastRow.get(id);
            check(
              !previous ||
                previous.clickId !== row.clickId ||
                previous.clickTime !== row.clickTime ||
                previous.isFinal !== row.isFinal,
              () => `unchanged row rewritten for ${id}`,
            );
            const c = firstCheckout.get(id) as Checkout;
            check(
              row.userId === c.userId &&
                row.productId === c.productId &&
                row.userAgent === c.userAgent &&
                row.checkoutTime === c.time &&
                !row.isLate,
              () => `row of ${id} does not carry its first checkout: ${JSON.stringify(row)}`,
            );
            lastRow.set(id, row);
            if (row.isFinal) finals.set(id, row);
            if (row.isFinal && position < inputs.length - sources.length) seen.earlyFinals++;
          }
          // Every checkout's latest row is the rule over the clicks that have arrived so far.
          for (const e of attributeBruteForce(clicksSoFar, [...firstCheckout.values()])) {
            const row = lastRow.get(e.checkoutId);
            check(row !== undefined, () => `no row for ${e.checkoutId}`);
            if (row?.isFinal) continue;
            check(
              row?.clickId === e.clickId && row?.clickTime === e.clickTime,
              () => `row ${JSON.stringify(row)} is not the rule so far ${JSON.stringify(e)}`,
            );
          }
        });

        const allCheckouts = inputs.flatMap((i) => (i.kind === 'checkout' ? [i.event] : []));
        const allClicks = inputs.flatMap((i) => (i.kind === 'click' ? [i.event] : []));
        const expected = attributeBruteForce(allClicks, allCheckouts);
        expect(finals.size).toBe(expected.length);
        for (const e of expected) {
          const row = finals.get(e.checkoutId);
          expect(row, `no final row for ${e.checkoutId}`).toBeDefined();
          expect({
            checkoutId: row?.checkoutId,
            clickId: row?.clickId,
            clickTime: row?.clickTime,
          }).toEqual(e);
        }
        const counters = engine.counters();
        expect(counters).toMatchObject({ lateClicks: 0, lateCheckouts: 0, expiredClicks: 0 });
        expect(counters.finalAttributed + counters.finalUnattributed).toBe(expected.length);
        expect(engine.stats()).toMatchObject({ clicks: 0, keys: 0, pendingCheckouts: 0 });
        seen.runs++;
        seen.corrected += counters.correctedRows;
        seen.attributed += counters.finalAttributed;
        seen.unattributed += counters.finalUnattributed;
        seen.duplicates += counters.duplicateClicks + counters.duplicateCheckouts;
      }),
      { numRuns: 300 },
    );
    console.log('property streams:', JSON.stringify(seen));
    expect(seen.runs).toBe(300);
    for (const [name, count] of Object.entries(seen)) expect(count, name).toBeGreaterThan(50);
  }, 60_000);
});

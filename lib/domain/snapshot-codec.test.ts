import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AttributionPartition } from './partition-engine.ts';
import { decodePartitionState as decodeState } from './snapshot-codec.ts';
import {
  at,
  makeCheckout,
  makeClick,
  newEngine,
  SOURCES,
} from '../../test/domain/engine-fixtures.ts';

const V2_BASE =
  'Q1NQUwIAAAAAAEzNQAAAAABAd0tBAAAAAAAA8P8BAAAACAAAAGNsaWNrcy8wAAAAAAAA8P8ACwAAAAYAAABjbGlja3MAAAAAAAAIQA8AAABkdXBsaWNhdGVDbGlja3MAAAAAAAAAAAoAAABsYXRlQ2xpY2tzAAAAAAAAAAANAAAAZXhwaXJlZENsaWNrcwAAAAAAAAAADQAAAGV2aWN0ZWRDbGlja3MAAAAAAAAAAAkAAABjaGVja291dHMAAAAAAAAAABIAAABkdXBsaWNhdGVDaGVja291dHMAAAAAAAAAAA0AAABsYXRlQ2hlY2tvdXRzAAAAAAAAAAANAAAAY29ycmVjdGVkUm93cwAAAAAAAAAADwAAAGZpbmFsQXR0cmlidXRlZAAAAAAAAAAAEQAAAGZpbmFsVW5hdHRyaWJ1dGVkAAAAAAAAAAAAAAAAAADw/wMAAAACAAAAAAAAAAAAHEACAAAAcDECAAAAAADQco3KeUIAANByjcp5QiQAAAA4YTRmMGMzZS0xYjJkLTRlNWYtOWE4Yi03YzZkNWU0ZjNhMmIEAAAASy3DiQUAAABlbWFpbAAAAAAAAAAAAAAIwAIAAABwMgEAAAAAUNByjcp5QiQAAAAwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEAAAAAAAAAAAAAAAA=';

/** Version 3, from clicks of users 7 and 8 on p1 and p2, three of them tagged email. */
const V3_BASE =
  'Q1NQUwMAAAAAAEzNQAAAAABAd0tBAIAmb43KeUICAAAACAAAAGNsaWNrcy8wAADQco3KeUIACwAAAGNoZWNrb3V0cy8wAADQco3KeUIACwAAAAYAAABjbGlja3MAAAAAAAAQQA8AAABkdXBsaWNhdGVDbGlja3MAAAAAAAAAAAoAAABsYXRlQ2xpY2tzAAAAAAAAEEANAAAAZXhwaXJlZENsaWNrcwAAAAAAAAAADQAAAGV2aWN0ZWRDbGlja3MAAAAAAAAAAAkAAABjaGVja291dHMAAAAAAAAAABIAAABkdXBsaWNhdGVDaGVja291dHMAAAAAAAAAAA0AAABsYXRlQ2hlY2tvdXRzAAAAAAAAAAANAAAAY29ycmVjdGVkUm93cwAAAAAAAAAADwAAAGZpbmFsQXR0cmlidXRlZAAAAAAAAAAAEQAAAGZpbmFsVW5hdHRyaWJ1dGVkAAAAAAAAAAAAgD4Aisp5QgQAAAADAAAAAAAAAAAAHEACAAAAcDECAAAAAAAqZI3KeUIBPgxPil9OLRttfIuaKzpPXgUAAABlbWFpbAAAKmSNynlCAAQAAABLLcOJBQAAAGVtYWlsAAAAAAAAHEACAAAAcDIBAAAAAAB9a43KeUIBAAAAAAAAAAAAAAAAAQAAAAUAAABlbWFpbAAAAAAAACBAAgAAAHAxAQAAAAAA7m2NynlCAAMAAABrLTIAAAAAAAAAAAAAAAA=';

const V3_BASE_BEFORE_V2_DELTA =
  'Q1NQUwMAAAAAAEzNQAAAAABAd0tBAIAmb43KeUICAAAACAAAAGNsaWNrcy8wAADQco3KeUIACwAAAGNoZWNrb3V0cy8wAADQco3KeUIACwAAAAYAAABjbGlja3MAAAAAAAAAAA8AAABkdXBsaWNhdGVDbGlja3MAAAAAAAAAAAoAAABsYXRlQ2xpY2tzAAAAAAAAAAANAAAAZXhwaXJlZENsaWNrcwAAAAAAAAAADQAAAGV2aWN0ZWRDbGlja3MAAAAAAAAAAAkAAABjaGVja291dHMAAAAAAADwPxIAAABkdXBsaWNhdGVDaGVja291dHMAAAAAAAAAAA0AAABsYXRlQ2hlY2tvdXRzAAAAAAAAAAANAAAAY29ycmVjdGVkUm93cwAAAAAAAAAADwAAAGZpbmFsQXR0cmlidXRlZAAAAAAAAAAAEQAAAGZpbmFsVW5hdHRyaWJ1dGVkAAAAAAAAAAAAgD4Aisp5QgAAAAAAAAAAAQAAAAMAAABjLTAAAAAAAADwPwIAAABwMQQAAABjYXJkBQAAADE5LjkwBAAAAHNoaXAEAAAAYmlsbAIAAAB1YQgAAAAxMC4wLjAuMgAAI3qNynlCAwAAAGFubgD/////AAAAAAAA+H//////AAAAAA==';
const V2_DELTA =
  'Q1NQRAIAAAAAAEzNQAAAAABAd0tBAIAmb43KeUICAAAACAAAAGNsaWNrcy8wAADQco3KeUIACwAAAGNoZWNrb3V0cy8wAADQco3KeUIACwAAAAYAAABjbGlja3MAAAAAAAAAQA8AAABkdXBsaWNhdGVDbGlja3MAAAAAAAAAAAoAAABsYXRlQ2xpY2tzAAAAAAAAAEANAAAAZXhwaXJlZENsaWNrcwAAAAAAAAAADQAAAGV2aWN0ZWRDbGlja3MAAAAAAAAAAAkAAABjaGVja291dHMAAAAAAAAAQBIAAABkdXBsaWNhdGVDaGVja291dHMAAAAAAAAAAA0AAABsYXRlQ2hlY2tvdXRzAAAAAAAAAAANAAAAY29ycmVjdGVkUm93cwAAAAAAAAhADwAAAGZpbmFsQXR0cmlidXRlZAAAAAAAAAAAEQAAAGZpbmFsVW5hdHRyaWJ1dGVkAAAAAAAAAAACAAAAAwAAAGMtMAAAAAAAAPA/AgAAAHAxBAAAAGNhcmQFAAAAMTkuOTAEAAAAc2hpcAQAAABiaWxsAgAAAHVhCAAAADEwLjAuMC4yAAAjeo3KeUIDAAAAYW5uAAMAAABrLTAAAIRVjcp5QgAAAAADAAAAYy0xAAAAAAAA8D8CAAAAcDEEAAAAY2FyZAUAAAAxOS45MAQAAABzaGlwBAAAAGJpbGwCAAAAdWEIAAAAMTAuMC4wLjIAAHaBjcp5QgQAAAB6b8OrAAMAAABrLTAAAIRVjcp5QgAAAAA8AAAAAQAAAAAAAPA/AAAqZI3KeUICAAAAcDEDAAAAay0xAQAAAAAAAPA/AACEVY3KeUICAAAAcDEDAAAAay0w';

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

  it('still reads a version 2 base, and writes UUID ids as 16 bytes', () => {
    // Written by the version 2 codec: clicks 8a4f0c3e-… (tag email) and K-É of user 7 at the
    // same time, and 00000000-…-000000000001 of user -3.
    const v2 = Buffer.from(V2_BASE, 'base64');
    expect(v2[4]).toBe(2);
    const restored = AttributionPartition.decode(v2);
    const t = Date.UTC(2026, 2, 1, 10);
    expect(restored.retainedClicks(7, 'p1')).toEqual([
      { clickId: '8a4f0c3e-1b2d-4e5f-9a8b-7c6d5e4f3a2b', time: t, tag: 'email' },
      { clickId: 'K-É', time: t, tag: '' },
    ]);
    expect(restored.retainedClicks(-3, 'p2')).toEqual([
      { clickId: '00000000-0000-0000-0000-000000000001', time: t + 5, tag: '' },
    ]);
    const v4 = restored.encodeSnapshot(); // now version 5
    expect(v4[4]).toBe(5);
    // Each UUID takes 1 + 16 bytes instead of 4 + 36; the two products and two tags each take
    // a 4-byte number before their text, and nothing more (each is used once).
    // The counter added since (conflictingCheckouts) takes its name and value.
    const newCounter = 4 + 'conflictingCheckouts'.length + 8;
    expect(v2.length - v4.length).toBe(2 * (40 - 17) - 1 - 4 * 4 - newCounter);
    const again = AttributionPartition.decode(v4);
    expect(again.retainedClicks(7, 'p1')).toEqual(restored.retainedClicks(7, 'p1'));
    expect(again.retainedClicks(-3, 'p2')).toEqual(restored.retainedClicks(-3, 'p2'));
    expect(again.encodeSnapshot().equals(v4)).toBe(true);
  });

  it('still reads a version 3 base, which wrote every product and tag as text', () => {
    const v3 = Buffer.from(V3_BASE, 'base64');
    expect(v3[4]).toBe(3);
    const restored = AttributionPartition.decode(v3);
    const t = (time: string) => at(time);
    expect(restored.retainedClicks(7, 'p1')).toEqual([
      { clickId: '8a4f0c3e-1b2d-4e5f-9a8b-7c6d5e4f3a2b', time: t('09:59'), tag: 'email' },
      { clickId: 'K-É', time: t('09:59'), tag: 'email' },
    ]);
    expect(restored.retainedClicks(7, 'p2')).toEqual([
      { clickId: '00000000-0000-0000-0000-000000000001', time: t('09:59:30'), tag: 'email' },
    ]);
    expect(restored.retainedClicks(8, 'p1')).toEqual([
      { clickId: 'k-2', time: t('09:59:40'), tag: '' },
    ]);
    const v5 = restored.encodeSnapshot();
    expect(v5[4]).toBe(5);
    expect(AttributionPartition.decode(v5).encodeSnapshot().equals(v5)).toBe(true);
  });

  it('writes each product and each tag of a base once, then refers to it by number', () => {
    const engine = newEngine();
    for (const source of SOURCES)
      engine.onMarker({ source, maxEventTime: at('10:00'), idle: false });
    engine.drain();
    const empty = engine.encodeSnapshot().length;
    const tag = 'campaign=winter-sale-2026&channel=email';
    const product = 'product-with-a-rather-long-id-0001';
    for (let i = 0; i < 1_000; i++) {
      engine.onClick({ ...makeClick(randomUUID(), at('09:59') + i, 1 + (i % 10), product), tag });
    }
    engine.drain();
    const bytes = engine.encodeSnapshot();
    // Per click its time, id kind, 16 bytes and tag number; per key its user, count and product
    // number; the texts once. Written out each time, they would add 45 bytes a click.
    const perClick = 8 + 1 + 16 + 4;
    const perKey = 8 + 4 + 4;
    const texts = 2 * 4 + tag.length + product.length;
    expect(bytes.length - empty).toBe(1_000 * perClick + 10 * perKey + texts);
    const restored = AttributionPartition.decode(bytes);
    expect(restored.retainedClicks(3, product)).toEqual(engine.retainedClicks(3, product));
    expect(restored.retainedClicks(3, product)[0]?.tag).toBe(tag);
  });

  it('keeps each remembered checkout id with its user id, in a base and in a delta', () => {
    const engine = newEngine();
    for (const source of SOURCES)
      engine.onMarker({ source, maxEventTime: at('10:00'), idle: false });
    engine.onCheckout(makeCheckout('c-base', at('10:01'), 7), {}, 'ann');
    for (const source of SOURCES)
      engine.onMarker({ source, maxEventTime: at('10:05'), idle: false });
    engine.drain();
    const base = engine.encodeSnapshot();
    engine.onCheckout(makeCheckout('c-delta', at('10:06'), 8), {}, 'bob');
    for (const source of SOURCES)
      engine.onMarker({ source, maxEventTime: at('10:10'), idle: false });
    engine.drain();
    const delta = engine.encodeDelta().bytes;
    expect(delta[4]).toBe(4);
    const restored = AttributionPartition.decode(base, [delta]);
    restored.onCheckout(makeCheckout('c-base', at('10:01'), 7), {}, 'ann'); // re-delivery
    restored.onCheckout(makeCheckout('c-base', at('10:01'), 9), {}, 'eve');
    restored.onCheckout(makeCheckout('c-delta', at('10:06'), 9), {}, 'eve');
    const out = restored.drain();
    expect(out.rows).toEqual([]);
    expect(out.conflicts.map((c) => [c.row.checkoutId, c.ownerUserId])).toEqual([
      ['c-base', 7],
      ['c-delta', 8],
    ]);
  });

  it('reads the remembered ids of a version 4 base as of unknown users: re-deliveries', () => {
    const v3 = AttributionPartition.decode(Buffer.from(V3_BASE_BEFORE_V2_DELTA, 'base64'));
    // That base remembers no finalized id; finalize its pending c-0 (user 1) and re-read it as
    // version 4 wrote it, without users.
    for (const source of SOURCES) v3.onMarker({ source, maxEventTime: at('11:00'), idle: false });
    v3.drain();
    const v5 = v3.encodeSnapshot();
    const state = decodeState(v5);
    expect(state.finalizedIds).toEqual(['c-0']);
    expect(state.finalizedUsers).toEqual([1]);
    const restored = AttributionPartition.fromState({ ...state, finalizedUsers: [Number.NaN] });
    restored.onCheckout(makeCheckout('c-0', at('10:00:30'), 2, 'p1'), {}, 'eve');
    const out = restored.drain();
    expect(out.rows).toEqual([]);
    expect(out.conflicts).toEqual([]);
    expect(restored.counters().duplicateCheckouts).toBe(1);
  });

  it('still reads a version 2 delta, which held every pending checkout whole', () => {
    // Written by the version 2 codec from these steps (base after the first checkout):
    const live = newEngine();
    for (const source of SOURCES) live.onMarker({ source, maxEventTime: at('10:00'), idle: false });
    live.onCheckout(makeCheckout('c-0', at('10:00:30'), 1, 'p1'), {}, 'ann');
    live.drain();
    live.encodeSnapshot();
    live.onClick(makeClick('k-1', at('09:59'), 1, 'p1'));
    live.onCheckout(makeCheckout('c-1', at('10:01'), 1, 'p1'), {}, 'zoë');
    live.onClick(makeClick('k-0', at('09:58'), 1, 'p1'));
    live.drain();
    const delta = Buffer.from(V2_DELTA, 'base64');
    expect(delta[4]).toBe(2);
    const restored = AttributionPartition.decode(Buffer.from(V3_BASE_BEFORE_V2_DELTA, 'base64'), [
      delta,
    ]);
    expect(comparable(restored)).toEqual(comparable(live));
    expect(restored.encodeSnapshot().equals(live.encodeSnapshot())).toBe(true);
  });

  it('writes deltas that grow with the change, not with the checkouts pending', () => {
    const engine = newEngine();
    for (const source of SOURCES)
      engine.onMarker({ source, maxEventTime: at('10:00'), idle: false });
    for (let i = 0; i < 1_000; i++)
      engine.onCheckout(makeCheckout(`c-${i}`, at('10:00:30'), i, 'p1'), {}, 'ann');
    engine.drain();
    const first = engine.encodeDelta();
    engine.confirmDelta(first.mark);
    // Nothing changed: the delta is the small parts only (it was every pending checkout again).
    const idle = engine.encodeDelta();
    expect(idle.bytes.length).toBeLessThan(1_000);
    engine.confirmDelta(idle.mark);
    // One more checkout, and a click that re-attributes one pending checkout: two entries more.
    engine.onCheckout(makeCheckout('c-new', at('10:00:40'), 5, 'p1'), {}, 'ann');
    engine.onClick(makeClick('k-late', at('09:59'), 7, 'p1'));
    engine.drain();
    const next = engine.encodeDelta();
    expect(next.bytes.length - idle.bytes.length).toBeLessThan(300);
    expect(first.bytes.length - idle.bytes.length).toBeGreaterThan(1_000 * 50);
  });

  it('journals UUID ids as 16 bytes, any other id as its text, and restores each exactly', () => {
    const engine = newEngine();
    for (const source of SOURCES)
      engine.onMarker({ source, maxEventTime: at('10:00'), idle: false });
    engine.drain();
    const base = engine.encodeSnapshot();
    const product = randomUUID();
    const ids = [
      randomUUID(),
      randomUUID().toUpperCase(), // not canonical: kept as text
      'k-é',
      '00000000-0000-0000-0000-000000000000',
    ];
    ids.forEach((id, i) =>
      engine.onClick({ ...makeClick(id, at('09:59') + i, 1, product), tag: i % 2 ? 'email' : '' }),
    );
    engine.onClick(makeClick(randomUUID(), at('09:59'), 2, 'p-text'));
    engine.drain();
    const first = engine.encodeDelta();
    engine.confirmDelta(first.mark);
    const uuids = Array.from({ length: 100 }, () => randomUUID());
    for (const id of uuids) engine.onClick(makeClick(id, at('09:59:30'), 3, product));
    engine.drain();
    const second = engine.encodeDelta();
    // Flags, user, time, two ids of 16 bytes, the operation: 50 bytes a click (was 93).
    expect((second.bytes.length - first.bytes.length) / uuids.length).toBeLessThan(60);
    const restored = AttributionPartition.decode(base, [first.bytes, second.bytes]);
    expect(restored.retainedClicks(1, product)).toEqual(engine.retainedClicks(1, product));
    expect(
      restored
        .retainedClicks(1, product)
        .map((c) => c.clickId)
        .sort(),
    ).toEqual([...ids].sort());
    expect(restored.retainedClicks(2, 'p-text')).toEqual(engine.retainedClicks(2, 'p-text'));
    expect(comparable(restored)).toEqual(comparable(engine));
    expect(restored.encodeSnapshot().equals(engine.encodeSnapshot())).toBe(true);
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

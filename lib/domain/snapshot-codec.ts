// Binary encoding of a partition's full state (watermark sources, counters, retained clicks,
// pending checkouts, remembered checkout ids). Versioned by a magic + version byte; decoding
// yields exactly the state that was encoded, so a restored engine produces the same outputs.
import { ByteReader, ByteWriter } from './binary-io.ts';
import { ClickStore } from './click-store.ts';
import type { Checkout } from './events.ts';
import type { PartitionCounters, PartitionState, PendingCheckout } from './partition-types.ts';

const MAGIC = Buffer.from('CSPS', 'latin1');
const VERSION = 1;

export function encodePartitionState(state: PartitionState): Buffer {
  const w = new ByteWriter(1024 + state.store.clickCount * 56);
  w.bytes(MAGIC);
  w.u8(VERSION);
  w.f64(state.allowedLatenessMs);
  w.f64(state.checkoutIdRetentionMs);
  w.f64(state.watermark);

  w.u32(state.sources.length);
  for (const s of state.sources) {
    w.str(s.source);
    w.f64(s.maxEventTime);
    w.u8(s.idle ? 1 : 0);
  }

  const counters = Object.entries(state.counters);
  w.u32(counters.length);
  for (const [name, value] of counters) {
    w.str(name);
    w.f64(value);
  }

  const store = state.store;
  w.f64(store.horizon);
  w.u32(store.clickCount);
  w.u32(store.keyCount);
  store.forEachKey(({ userId, productId, times, ids }) => {
    w.f64(userId);
    w.str(productId);
    w.u32(ids.length);
    for (let i = 0; i < ids.length; i++) w.f64(times[i] as number);
    for (let i = 0; i < ids.length; i++) w.str(ids[i] as string);
  });

  w.u32(state.pending.length);
  for (const p of state.pending) writePending(w, p);

  w.u32(state.finalizedIds.length);
  for (let i = 0; i < state.finalizedIds.length; i++) {
    w.str(state.finalizedIds[i] as string);
    w.f64(state.finalizedAt[i] as number);
  }
  return w.finish();
}

export function decodePartitionState(bytes: Uint8Array): PartitionState {
  const r = new ByteReader(bytes);
  if (!r.bytes(MAGIC.length).equals(MAGIC)) throw new Error('not a partition snapshot');
  const version = r.u8();
  if (version !== VERSION) throw new Error(`unsupported snapshot version ${version}`);
  const allowedLatenessMs = r.f64();
  const checkoutIdRetentionMs = r.f64();
  const watermark = r.f64();

  const sources = Array.from({ length: r.u32() }, () => ({
    source: r.str(),
    maxEventTime: r.f64(),
    idle: r.u8() === 1,
  }));

  const counters: Record<string, number> = {};
  for (let n = r.u32(); n > 0; n--) counters[r.str()] = r.f64();

  const horizon = r.f64();
  const clickCount = r.u32();
  const keyCount = r.u32();
  function* keys() {
    for (let k = 0; k < keyCount; k++) {
      const userId = r.f64();
      const productId = r.str();
      const n = r.u32();
      const times = new Float64Array(n);
      for (let i = 0; i < n; i++) times[i] = r.f64();
      const ids = new Array<string>(n);
      for (let i = 0; i < n; i++) ids[i] = r.str();
      yield { userId, productId, times, ids };
    }
  }
  const store = ClickStore.restore(horizon, clickCount, keys());

  const pending = Array.from({ length: r.u32() }, () => readPending(r));

  const finalizedIds: string[] = [];
  const finalizedAt: number[] = [];
  for (let n = r.u32(); n > 0; n--) {
    finalizedIds.push(r.str());
    finalizedAt.push(r.f64());
  }
  if (r.remaining !== 0) throw new Error(`snapshot has ${r.remaining} trailing bytes`);

  return {
    allowedLatenessMs,
    checkoutIdRetentionMs,
    watermark,
    sources,
    store,
    pending,
    finalizedIds,
    finalizedAt,
    counters: counters as unknown as PartitionCounters,
  };
}

function writePending(w: ByteWriter, p: PendingCheckout): void {
  const c = p.checkout;
  w.str(c.checkoutId);
  w.f64(c.userId);
  w.str(c.productId);
  w.str(c.paymentMethod);
  w.str(c.totalAmount);
  w.str(c.shippingAddress);
  w.str(c.billingAddress);
  w.str(c.userAgent);
  w.str(c.ipAddress);
  w.f64(c.time);
  w.str(p.userName);
  w.u8(p.isUnknownUser ? 1 : 0);
  w.nullableStr(p.clickId);
  w.f64(p.clickTime ?? NaN);
}

function readPending(r: ByteReader): PendingCheckout {
  const checkout: Checkout = {
    checkoutId: r.str(),
    userId: r.f64(),
    productId: r.str(),
    paymentMethod: r.str(),
    totalAmount: r.str(),
    shippingAddress: r.str(),
    billingAddress: r.str(),
    userAgent: r.str(),
    ipAddress: r.str(),
    time: r.f64(),
  };
  const userName = r.str();
  const isUnknownUser = r.u8() === 1;
  const clickId = r.nullableStr();
  const clickTime = r.f64();
  return {
    checkout,
    userName,
    isUnknownUser,
    clickId,
    clickTime: clickId === null ? null : clickTime,
  };
}

// Retained clicks per (user, product), each key's clicks in (time, click_id byte order) order,
// deduplicated by click_id. Invariant: every retained click has time >= horizon; clicks are
// stored as parallel arrays (no object per click) and evicted through a time-ordered queue.
import { compareBytes, compareTimeThenId } from './byte-order';
import { ClickIdSet } from './click-id-set';
import { MinHeap } from './min-heap';

export interface RetainedClick {
  clickId: string;
  time: number;
}

/** `duplicate`: the click id is already retained. `expired`: older than the horizon. */
export type AddOutcome = 'added' | 'duplicate' | 'expired';

interface KeyBucket {
  readonly userId: number;
  readonly productId: string;
  /** Sorted by (time, id) from `head`; slots before `head` are evicted, awaiting compaction. */
  times: number[];
  ids: string[];
  head: number;
  /** Time of this bucket's live entry in the eviction queue; NaN once the bucket is gone. */
  queuedTime: number;
}

interface QueueEntry {
  time: number;
  bucket: KeyBucket;
}

// Rough V8 (64-bit, no pointer compression) sizes, calibrated by click-store.test.ts.
const BYTES_PER_CLICK = 40; // 2 array slots + growth slack, string header + alignment
const BYTES_PER_KEY = 160; // bucket, two small arrays, map entry, queue entry
const BYTES_PER_USER = 120;

export class ClickStore {
  private readonly byUser = new Map<number, Map<string, KeyBucket>>();
  private readonly ids = new ClickIdSet();
  private readonly queue = new MinHeap<QueueEntry>((a, b) => a.time - b.time);
  private keys = 0;
  private clicks = 0;
  private idChars = 0;
  private retainFrom = -Infinity;

  get keyCount(): number {
    return this.keys;
  }

  get clickCount(): number {
    return this.clicks;
  }

  /** Every retained click has time >= horizon; older clicks are refused. */
  get horizon(): number {
    return this.retainFrom;
  }

  has(clickId: string): boolean {
    return this.ids.has(clickId);
  }

  add(userId: number, productId: string, clickId: string, time: number): AddOutcome {
    if (this.ids.has(clickId)) return 'duplicate';
    if (time < this.retainFrom) return 'expired';
    let products = this.byUser.get(userId);
    if (!products) this.byUser.set(userId, (products = new Map()));
    let bucket = products.get(productId);
    if (!bucket) {
      bucket = { userId, productId, times: [], ids: [], head: 0, queuedTime: NaN };
      products.set(productId, bucket);
      this.keys++;
    }
    const pos = insertionIndex(bucket, time, clickId);
    if (pos === bucket.times.length) {
      bucket.times.push(time);
      bucket.ids.push(clickId);
    } else {
      bucket.times.splice(pos, 0, time);
      bucket.ids.splice(pos, 0, clickId);
    }
    // A new earliest click gets its own queue entry; the older entry goes stale.
    if (pos === bucket.head && !(time >= bucket.queuedTime)) this.enqueue(bucket, time);
    this.ids.add(clickId);
    this.clicks++;
    this.idChars += clickId.length;
    return 'added';
  }

  /** The retained click of the key with the smallest (time, id) and from <= time <= to. */
  earliestInWindow(
    userId: number,
    productId: string,
    from: number,
    to: number,
  ): RetainedClick | undefined {
    const bucket = this.byUser.get(userId)?.get(productId);
    if (!bucket) return undefined;
    const { times } = bucket;
    let lo = bucket.head;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    if (lo === times.length || (times[lo] as number) > to) return undefined;
    return { clickId: bucket.ids[lo] as string, time: times[lo] as number };
  }

  /** Drops every click with time < cutoff and refuses such clicks from now on. */
  evictBefore(cutoff: number): number {
    if (!(cutoff > this.retainFrom)) return 0;
    this.retainFrom = cutoff;
    let evicted = 0;
    for (let top = this.queue.peek(); top && top.time < cutoff; top = this.queue.peek()) {
      this.queue.pop();
      const bucket = top.bucket;
      if (bucket.queuedTime !== top.time) continue; // stale entry
      evicted += this.evictPrefix(bucket, cutoff);
    }
    return evicted;
  }

  /** An estimate of the heap bytes held, for the state-size gauge. */
  estimateHeapBytes(): number {
    return (
      this.clicks * BYTES_PER_CLICK +
      this.idChars +
      this.ids.slotBytes +
      this.keys * BYTES_PER_KEY +
      this.byUser.size * BYTES_PER_USER
    );
  }

  /** Visits every key with its live clicks (sorted) from index `head`; for the snapshot codec. */
  forEachKey(
    visit: (userId: number, productId: string, times: number[], ids: string[], head: number) => void,
  ): void {
    for (const products of this.byUser.values()) {
      for (const b of products.values()) visit(b.userId, b.productId, b.times, b.ids, b.head);
    }
  }

  /** Restores a store from snapshot parts; `keys` must be sorted, unique and >= horizon. */
  static restore(
    horizon: number,
    clickCount: number,
    keys: Iterable<{ userId: number; productId: string; times: number[]; ids: string[] }>,
  ): ClickStore {
    const store = new ClickStore();
    store.retainFrom = horizon;
    store.ids.reserve(clickCount);
    for (const { userId, productId, times, ids } of keys) {
      if (times.length === 0) continue;
      let products = store.byUser.get(userId);
      if (!products) store.byUser.set(userId, (products = new Map()));
      const bucket: KeyBucket = { userId, productId, times, ids, head: 0, queuedTime: NaN };
      products.set(productId, bucket);
      store.keys++;
      for (const id of ids) {
        if (!store.ids.add(id)) throw new Error(`snapshot holds click id ${id} twice`);
        store.idChars += id.length;
      }
      store.clicks += ids.length;
      store.enqueue(bucket, times[0] as number);
    }
    return store;
  }

  private enqueue(bucket: KeyBucket, time: number): void {
    bucket.queuedTime = time;
    this.queue.push({ time, bucket });
  }

  private evictPrefix(bucket: KeyBucket, cutoff: number): number {
    const { times, ids } = bucket;
    let i = bucket.head;
    for (; i < times.length && (times[i] as number) < cutoff; i++) {
      const id = ids[i] as string;
      this.ids.delete(id);
      this.idChars -= id.length;
      ids[i] = ''; // release the string before compaction
    }
    const evicted = i - bucket.head;
    this.clicks -= evicted;
    bucket.head = i;
    if (i === times.length) {
      const products = this.byUser.get(bucket.userId);
      products?.delete(bucket.productId);
      if (products?.size === 0) this.byUser.delete(bucket.userId);
      bucket.queuedTime = NaN;
      this.keys--;
      return evicted;
    }
    if (bucket.head >= 8 && bucket.head * 2 >= times.length) {
      times.copyWithin(0, bucket.head);
      ids.copyWithin(0, bucket.head);
      times.length -= bucket.head;
      ids.length -= bucket.head;
      bucket.head = 0;
    }
    this.enqueue(bucket, times[bucket.head] as number);
    return evicted;
  }
}

/** Index at which (time, id) keeps the bucket sorted; appends are the common case. */
function insertionIndex(bucket: KeyBucket, time: number, id: string): number {
  const { times, ids } = bucket;
  const n = times.length;
  if (n === bucket.head) return n;
  const lastTime = times[n - 1] as number;
  if (time > lastTime || (time === lastTime && compareBytes(id, ids[n - 1] as string) > 0)) {
    return n;
  }
  let lo = bucket.head;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareTimeThenId(times[mid] as number, ids[mid] as string, time, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Retained clicks per (user, product), each key's clicks in (time, click_id byte order) order,
// deduplicated by click_id. Invariant: every retained click has time >= horizon. Memory is the
// point: clicks live in typed-array slabs (time, hash, list links) with no object per click,
// ids are indexed by slot number (slot-id-index.ts), and eviction pops a heap of keys.
// Each click carries an opaque tag (its channel and campaign, click-origin.ts), interned: a
// click holds a 4-byte number, each distinct tag is kept once while a retained click has it.
import { compareTimeThenId } from './byte-order.ts';
import { IndexedMinHeap } from './indexed-heap.ts';
import { EMPTY as NONE, hashString, SlotIdIndex } from './slot-id-index.ts';

export interface RetainedClick {
  clickId: string;
  time: number;
  /** The click's tag ('' when it has none). */
  tag: string;
}

/** `duplicate`: the click id is already retained. `expired`: older than the horizon. */
export type AddOutcome = 'added' | 'duplicate' | 'expired';

export interface KeyClicks {
  userId: number;
  productId: string;
  /** Sorted by (time, id); same length as `ids`. */
  times: ArrayLike<number>;
  ids: string[];
  /** Same length as `ids`; '' for no tag. */
  tags: string[];
}

// Keys are `${userId}\u0001${productId}`: the user id's decimal text never holds \u0001.
const SEP = '\u0001';

function grownInt32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size).fill(NONE);
  b.set(a);
  return b;
}

/** A copy with exactly `size` slots: pushing one at a time would let V8 over-allocate by 50%. */
function grownArray<T>(a: (T | undefined)[], size: number): (T | undefined)[] {
  const b = new Array<T | undefined>(size).fill(undefined);
  for (let i = 0; i < a.length; i++) b[i] = a[i];
  return b;
}

export class ClickStore {
  // Click slots: parallel arrays indexed by slot; `next` doubles as the free-slot list. The id's
  // hash is kept so that index deletions and resizes never rehash strings.
  private times = new Float64Array(16);
  private hashes = new Int32Array(16);
  private ids: (string | undefined)[] = new Array<string | undefined>(16).fill(undefined);
  private next = new Int32Array(16).fill(NONE);
  private prev = new Int32Array(16).fill(NONE);
  private tagOf = new Uint32Array(16);
  private slotsUsed = 0;
  private freeSlot = NONE;
  private readonly index = new SlotIdIndex();
  private clicks = 0;
  private idChars = 0;

  // Keys: index by name; per key the first and last slot of its list.
  private readonly keyOf = new Map<string, number>();
  private keyName: (string | undefined)[] = new Array<string | undefined>(16).fill(undefined);
  private first = new Int32Array(16).fill(NONE);
  private last = new Int32Array(16).fill(NONE);
  private keysUsed = 0;
  private readonly freeKeys: number[] = [];
  private keyNameChars = 0;

  /** Keys by the time of their earliest click: eviction looks only at keys it will trim. */
  private readonly byEarliest = new IndexedMinHeap(
    (k) => this.times[this.first[k] as number] as number,
  );

  private retainFrom = -Infinity;

  // Interned tags: number 0 is '' (never released); others are freed when no click has them.
  private readonly tagNumber = new Map<string, number>([['', 0]]);
  private readonly tagText: string[] = [''];
  private readonly tagUses: number[] = [0];
  private readonly freeTags: number[] = [];

  get keyCount(): number {
    return this.keyOf.size;
  }

  get clickCount(): number {
    return this.clicks;
  }

  /** Every retained click has time >= horizon; older clicks are refused. */
  get horizon(): number {
    return this.retainFrom;
  }

  has(clickId: string): boolean {
    return this.index.find(clickId, hashString(clickId), this.ids, this.hashes) !== NONE;
  }

  add(userId: number, productId: string, clickId: string, time: number, tag = ''): AddOutcome {
    const hash = hashString(clickId);
    if (this.index.find(clickId, hash, this.ids, this.hashes) !== NONE) return 'duplicate';
    if (time < this.retainFrom) return 'expired';
    const name = userId + SEP + productId;
    let k = this.keyOf.get(name);
    if (k === undefined) k = this.allocKey(name);
    const s = this.allocSlot(clickId, hash, time, tag);
    // Walk back from the newest click: arrivals are nearly in time order, so this is short.
    let p = this.last[k] as number;
    while (
      p !== NONE &&
      compareTimeThenId(this.times[p] as number, this.ids[p] as string, time, clickId) > 0
    ) {
      p = this.prev[p] as number;
    }
    const after = p === NONE ? (this.first[k] as number) : (this.next[p] as number);
    this.next[s] = after;
    this.prev[s] = p;
    if (after === NONE) this.last[k] = s;
    else this.prev[after] = s;
    if (p !== NONE) {
      this.next[p] = s;
    } else {
      this.first[k] = s; // a new earliest click
      if (this.byEarliest.has(k)) this.byEarliest.decreased(k);
      else this.byEarliest.push(k);
    }
    return 'added';
  }

  /** The retained click of the key with the smallest (time, id) and from <= time <= to. */
  earliestInWindow(
    userId: number,
    productId: string,
    from: number,
    to: number,
  ): RetainedClick | undefined {
    const k = this.keyOf.get(userId + SEP + productId);
    if (k === undefined) return undefined;
    // The skipped prefix is the clicks in [horizon, from): about the allowed lateness's worth.
    let s = this.first[k] as number;
    while (s !== NONE && (this.times[s] as number) < from) s = this.next[s] as number;
    if (s === NONE || (this.times[s] as number) > to) return undefined;
    return this.clickAt(s);
  }

  /**
   * Accepts clicks down to `horizon` again (never raises it). Only for repairing a poisoned
   * watermark (AttributionPartition.forgetProgressAfter); the invariant holds, since every
   * retained click is at or above the old, higher horizon.
   */
  lowerHorizon(horizon: number): void {
    if (horizon < this.retainFrom) this.retainFrom = horizon;
  }

  /** Drops every click with time < cutoff and refuses such clicks from now on. */
  evictBefore(cutoff: number): number {
    if (!(cutoff > this.retainFrom)) return 0;
    this.retainFrom = cutoff;
    let evicted = 0;
    for (let k = this.byEarliest.peek(); k !== undefined; k = this.byEarliest.peek()) {
      let s = this.first[k] as number;
      if (!((this.times[s] as number) < cutoff)) break;
      while (s !== NONE && (this.times[s] as number) < cutoff) {
        const n = this.next[s] as number;
        this.freeSlotAt(s);
        evicted++;
        s = n;
      }
      if (s === NONE) {
        this.byEarliest.popTop();
        this.freeKey(k);
      } else {
        this.first[k] = s;
        this.prev[s] = NONE;
        this.byEarliest.topIncreased();
      }
    }
    return evicted;
  }

  /** Estimated bytes held (JS heap + typed arrays; V8 64-bit, no pointer compression). */
  estimateHeapBytes(): number {
    const slotBytes = this.times.length * (8 + 8 + 4 + 4 + 4);
    const keyBytes = this.first.length * (8 + 4 + 4 + 4 + 4);
    const tagBytes = this.tagOf.byteLength + this.tagText.length * 64;
    // A one-byte string is a 16-byte header plus its characters, rounded up to 8.
    const strings = this.clicks * 20 + this.idChars + this.keyOf.size * 20 + this.keyNameChars;
    const keyMap = this.keyOf.size * 40;
    return slotBytes + keyBytes + tagBytes + this.index.byteLength + strings + keyMap;
  }

  /** Visits every key with its clicks in order; for the snapshot codec. */
  forEachKey(visit: (key: KeyClicks) => void): void {
    for (const [name, k] of this.keyOf) {
      const sep = name.indexOf(SEP);
      const times: number[] = [];
      const ids: string[] = [];
      const tags: string[] = [];
      for (let s = this.first[k] as number; s !== NONE; s = this.next[s] as number) {
        times.push(this.times[s] as number);
        ids.push(this.ids[s] as string);
        tags.push(this.tagText[this.tagOf[s] as number] as string);
      }
      visit({
        userId: Number(name.slice(0, sep)),
        productId: name.slice(sep + 1),
        times,
        ids,
        tags,
      });
    }
  }

  /** The retained clicks of one (user, product), in (time, id) order; [] for an unknown key. */
  clicksOf(userId: number, productId: string): RetainedClick[] {
    const k = this.keyOf.get(userId + SEP + productId);
    const out: RetainedClick[] = [];
    if (k === undefined) return out;
    for (let s = this.first[k] as number; s !== NONE; s = this.next[s] as number) {
      out.push(this.clickAt(s));
    }
    return out;
  }

  private clickAt(s: number): RetainedClick {
    return {
      clickId: this.ids[s] as string,
      time: this.times[s] as number,
      tag: this.tagText[this.tagOf[s] as number] as string,
    };
  }

  /** Rebuilds a store from snapshot parts: each key's clicks sorted, ids unique, >= horizon. */
  static restore(horizon: number, clickCount: number, keys: Iterable<KeyClicks>): ClickStore {
    const store = new ClickStore();
    store.retainFrom = horizon;
    store.growSlots(Math.max(16, clickCount));
    store.index.reserve(clickCount, store.hashes);
    for (const { userId, productId, times, ids, tags } of keys) {
      if (ids.length === 0) continue;
      const k = store.allocKey(userId + SEP + productId);
      let p = NONE;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as string;
        const hash = hashString(id);
        if (store.index.find(id, hash, store.ids, store.hashes) !== NONE) {
          throw new Error(`snapshot holds click id ${id} twice`);
        }
        const s = store.allocSlot(id, hash, times[i] as number, tags[i] ?? '');
        store.prev[s] = p;
        if (p === NONE) store.first[k] = s;
        else store.next[p] = s;
        p = s;
      }
      store.last[k] = p;
      store.byEarliest.push(k);
    }
    return store;
  }

  /** Takes a free slot, fills it and indexes its id; the caller links it into its key's list. */
  private allocSlot(id: string, hash: number, time: number, tag: string): number {
    let s = this.freeSlot;
    if (s !== NONE) {
      this.freeSlot = this.next[s] as number;
    } else {
      if (this.slotsUsed === this.times.length) this.growSlots(Math.ceil(this.times.length * 1.5));
      s = this.slotsUsed++;
    }
    this.times[s] = time;
    this.hashes[s] = hash;
    this.ids[s] = id;
    this.tagOf[s] = this.useTag(tag);
    this.next[s] = NONE;
    this.clicks++;
    this.idChars += id.length;
    this.index.insert(s, this.hashes, this.clicks);
    return s;
  }

  /** Unindexes a slot and puts it on the free list; the caller unlinks it from its key. */
  private freeSlotAt(s: number): void {
    this.clicks--;
    this.index.remove(s, this.hashes, this.clicks);
    this.idChars -= (this.ids[s] as string).length;
    this.ids[s] = undefined; // release the string
    this.releaseTag(this.tagOf[s] as number);
    this.tagOf[s] = 0;
    this.next[s] = this.freeSlot;
    this.prev[s] = NONE;
    this.freeSlot = s;
  }

  private growSlots(size: number): void {
    if (size <= this.times.length) return;
    const times = new Float64Array(size);
    times.set(this.times);
    this.times = times;
    const hashes = new Int32Array(size);
    hashes.set(this.hashes);
    this.hashes = hashes;
    this.next = grownInt32(this.next, size);
    this.prev = grownInt32(this.prev, size);
    this.ids = grownArray(this.ids, size);
    const tagOf = new Uint32Array(size);
    tagOf.set(this.tagOf);
    this.tagOf = tagOf;
  }

  private useTag(tag: string): number {
    if (tag === '') return 0;
    let n = this.tagNumber.get(tag);
    if (n === undefined) {
      n = this.freeTags.pop() ?? this.tagText.length;
      this.tagNumber.set(tag, n);
      this.tagText[n] = tag;
      this.tagUses[n] = 0;
    }
    this.tagUses[n] = (this.tagUses[n] as number) + 1;
    return n;
  }

  private releaseTag(n: number): void {
    if (n === 0) return;
    const uses = (this.tagUses[n] as number) - 1;
    this.tagUses[n] = uses;
    if (uses > 0) return;
    this.tagNumber.delete(this.tagText[n] as string);
    this.tagText[n] = '';
    this.freeTags.push(n);
  }

  private allocKey(name: string): number {
    let k = this.freeKeys.pop();
    if (k === undefined) {
      k = this.keysUsed++;
      if (k === this.first.length) {
        const size = Math.ceil(this.first.length * 1.5);
        this.first = grownInt32(this.first, size);
        this.last = grownInt32(this.last, size);
        this.keyName = grownArray(this.keyName, size);
      }
    }
    this.keyOf.set(name, k);
    this.keyName[k] = name;
    this.keyNameChars += name.length;
    this.first[k] = NONE;
    this.last[k] = NONE;
    return k;
  }

  private freeKey(k: number): void {
    const name = this.keyName[k] as string;
    this.keyOf.delete(name);
    this.keyNameChars -= name.length;
    this.keyName[k] = undefined;
    this.first[k] = NONE;
    this.last[k] = NONE;
    this.freeKeys.push(k);
  }
}

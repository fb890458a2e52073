// Retained clicks per (user, product), each key's clicks in (time, click_id byte order) order,
// deduplicated by click_id. Invariant: every retained click has time >= horizon. Memory is the
// point: clicks live in typed-array slabs (time, id, list links, tag) with no object per click;
// keys are numbered slots (click-keys.ts); ids are indexed by slot number (slot-id-index.ts);
// eviction pops a heap of keys. A time is held as an int32 of milliseconds from the store's
// epoch (retained clicks span an hour or so; the odd far one goes to a map), a tag as a byte
// while there are few (widening-uints.ts): a sparse store's click, one per key, takes 62 bytes
// with its key (81 with 8-byte times, 4-byte tags, products and users and a key's last click).
// A click id in canonical lowercase UUID form is kept as 16 bytes (uuid-words.ts), any other id
// as its string, exactly as given. For such UUIDs the order of the words is the byte order of
// the text; a comparison involving a string id compares texts. An id always takes the same form,
// so a lookup hashes the form the store would keep.
// Each click carries an opaque tag (its channel and campaign, click-origin.ts), interned.
import { compareBytes } from './byte-order.ts';
import { ClickKeys, ESCAPED, fitsInt32, GROWTH, grownInt32 } from './click-keys.ts';
import { IndexedMinHeap } from './indexed-heap.ts';
import { InternTable } from './intern-table.ts';
import { hashString, hashWords, EMPTY as NONE, SlotIdIndex } from './slot-id-index.ts';
import { compareUuidWords, uuidText, uuidWords } from './uuid-words.ts';
import { WideningUints } from './widening-uints.ts';

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

/** What a restore hands clicks to (ClickStore.restoreWith). */
export interface StoreFiller {
  /** Starts the next key; each key comes once, with at least one click. */
  key(userId: number, productId: string): void;
  /** The key's next click, in (time, id) order. */
  click(id: string, time: number, tag: string): void;
  /** The same for a click whose id is a UUID, given as its words (uuid-words.ts). */
  uuidClick(words: Uint32Array, at: number, time: number, tag: string): void;
}

/** What ClickStore.visitClicks shows: each key, then its clicks. */
export interface ClickVisitor {
  key(userId: number, productId: string, clicks: number): void;
  /** `text` is the id, or undefined for a UUID id, which is then words[at..at+3]. */
  click(time: number, text: string | undefined, words: Uint32Array, at: number, tag: string): void;
}

/** Bytes of a one-byte string in V8 (64-bit): a 16-byte header, characters rounded up to 8. */
const stringBytes = (s: string) => (16 + s.length + 7) & ~7;

/** In `times`: the click's time is in `farTimes` (24.8 days or more from the epoch). */
const FAR = ESCAPED;
/** Far clicks tolerated before the first rebase (see ClickStore.add). */
const REBASE_MIN_FAR = 1024;

export class ClickStore {
  // Click slots, indexed by slot: `next` doubles as the free-slot list. `words` holds 4 words a
  // slot (the UUID id) once a UUID id came; `texts` once another id came, and holds those ids,
  // with their hashes in `textHashes` (a probe compares hashes before texts that share long
  // prefixes). A stream of one kind of id pays for that kind only.
  /** Each click's time less `epoch`, or FAR when that does not fit: see `farTimes`. */
  private times = new Int32Array(16);
  private epoch = 0;
  /** The times of the clicks whose `times` entry is FAR, by slot: odd clicks far off in time. */
  private readonly farTimes = new Map<number, number>();
  /** farTimes' size after the last rebase: the next waits until it has doubled (see add). */
  private farAfterRebase = 0;
  private words = new Uint32Array(0);
  private texts: (string | undefined)[] | undefined;
  private textHashes = new Int32Array(0);
  private next = new Int32Array(16).fill(NONE);
  /**
   * The click before, in its key's list; for a key's first click, its last one (so a key needs
   * no slot of its own for its last click: 4 bytes a key, and most keys hold one click).
   */
  private prev = new Int32Array(16).fill(NONE);
  private readonly tagOf = new WideningUints(16);
  private slotsUsed = 0;
  private freeSlot = NONE;
  private clicks = 0;
  private textBytes = 0;
  private readonly index = new SlotIdIndex((s) => this.hashOfSlot(s));
  /** The id being looked up: its words, or its text when it is not a canonical UUID. */
  private readonly queryWords = new Uint32Array(4);
  private queryText: string | undefined;

  private readonly keys = new ClickKeys();

  /** Keys by the time of their earliest click: eviction looks only at keys it will trim. */
  private readonly byEarliest = new IndexedMinHeap((k) =>
    this.timeAt(this.keys.first[k] as number),
  );

  private retainFrom = -Infinity;

  private readonly tags = new InternTable();

  get keyCount(): number {
    return this.keys.count;
  }

  /** Key slots in use: visitClicks visits the live keys among slots [0, keySlots). */
  get keySlots(): number {
    return this.keys.slotsUsed;
  }

  /**
   * An independent copy: a snapshot is encoded from a copy, bit by bit, while the store itself
   * goes on taking clicks (a copy is a memcpy of the slabs, ~30 bytes a click).
   */
  clone(): ClickStore {
    const c = new ClickStore();
    c.times = this.times.slice();
    c.epoch = this.epoch;
    for (const [s, time] of this.farTimes) c.farTimes.set(s, time);
    c.farAfterRebase = this.farAfterRebase;
    c.words = this.words.slice();
    c.texts = this.texts?.slice();
    c.textHashes = this.textHashes.slice();
    c.next = this.next.slice();
    c.prev = this.prev.slice();
    c.tagOf.copyFrom(this.tagOf);
    c.slotsUsed = this.slotsUsed;
    c.freeSlot = this.freeSlot;
    c.clicks = this.clicks;
    c.textBytes = this.textBytes;
    c.index.copyFrom(this.index);
    c.keys.copyFrom(this.keys);
    c.byEarliest.copyFrom(this.byEarliest);
    c.retainFrom = this.retainFrom;
    c.tags.copyFrom(this.tags);
    return c;
  }

  get clickCount(): number {
    return this.clicks;
  }

  /** Every retained click has time >= horizon; older clicks are refused. */
  get horizon(): number {
    return this.retainFrom;
  }

  has(clickId: string): boolean {
    return this.findId(this.setQuery(clickId)) !== NONE;
  }

  add(userId: number, productId: string, clickId: string, time: number, tag = ''): AddOutcome {
    const hash = this.setQuery(clickId);
    if (this.findId(hash) !== NONE) return 'duplicate';
    if (time < this.retainFrom) return 'expired';
    const keys = this.keys;
    let k = keys.find(userId, productId);
    if (k === NONE) k = this.addKey(userId, productId);
    // Far clicks are slow and cost a map entry each: once they are an eighth of the clicks and
    // have doubled since the last try, try moving the epoch to them.
    const far = this.farTimes.size;
    if (
      far >= 2 * this.farAfterRebase + REBASE_MIN_FAR &&
      far * 8 >= this.clicks &&
      this.isFar(time)
    ) {
      this.rebase(time);
    }
    const s = this.allocSlot(hash, time, tag);
    // Walk back from the newest click: arrivals are nearly in time order, so this is short.
    // The first click's `prev` is the last click (see `prev`).
    const first = keys.first[k] as number;
    const last = first === NONE ? NONE : (this.prev[first] as number);
    let p = last;
    while (p !== NONE && this.compareSlots(p, s) > 0) {
      p = p === first ? NONE : (this.prev[p] as number);
    }
    const after = p === NONE ? first : (this.next[p] as number);
    const next = this.next;
    const prev = this.prev;
    next[s] = after;
    if (after !== NONE) prev[after] = s;
    if (p !== NONE) {
      next[p] = s;
      prev[s] = p;
      if (after === NONE) prev[first] = s; // a new last click
    } else {
      prev[s] = after === NONE ? s : last;
      keys.first[k] = s; // a new earliest click
      if (this.byEarliest.has(k)) this.byEarliest.decreased(k);
      else this.byEarliest.push(k);
    }
    return 'added';
  }

  /**
   * The words of the click id the last `add` was given, when it is a canonical UUID; else
   * undefined. Valid until the next call on the store (the journal records them unparsed again).
   */
  get addedIdWords(): Uint32Array | undefined {
    return this.queryText === undefined ? this.queryWords : undefined;
  }

  /** The retained click of the key with the smallest (time, id) and from <= time <= to. */
  earliestInWindow(
    userId: number,
    productId: string,
    from: number,
    to: number,
  ): RetainedClick | undefined {
    const k = this.keys.find(userId, productId);
    if (k === NONE) return undefined;
    // The skipped prefix is the clicks in [horizon, from): about the allowed lateness's worth.
    let s = this.keys.first[k] as number;
    while (s !== NONE && this.timeAt(s) < from) s = this.next[s] as number;
    if (s === NONE || this.timeAt(s) > to) return undefined;
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
    const keys = this.keys;
    let evicted = 0;
    for (let k = this.byEarliest.peek(); k !== undefined; k = this.byEarliest.peek()) {
      let s = keys.first[k] as number;
      if (!(this.timeAt(s) < cutoff)) break;
      const last = this.prev[s] as number;
      while (s !== NONE && this.timeAt(s) < cutoff) {
        const n = this.next[s] as number;
        this.freeSlotAt(s);
        evicted++;
        s = n;
      }
      if (s === NONE) {
        this.byEarliest.popTop();
        keys.remove(k);
      } else {
        keys.first[k] = s;
        this.prev[s] = last; // the new first click points back to the last one
        this.byEarliest.topIncreased();
      }
    }
    return evicted;
  }

  /** Estimated bytes held (JS heap + typed arrays; V8 64-bit, no pointer compression). */
  estimateHeapBytes(): number {
    const slotBytes =
      this.times.length * (4 + 4 + 4) +
      this.farTimes.size * 40 +
      this.tagOf.byteLength +
      this.words.byteLength;
    const textIds = this.texts === undefined ? 0 : this.texts.length * 12 + this.textBytes;
    // The heap holds two Int32Arrays about as long as the key slots.
    const heapBytes = this.keys.first.length * 8;
    return (
      slotBytes +
      textIds +
      this.index.byteLength +
      this.keys.estimateBytes() +
      heapBytes +
      this.tags.estimateBytes()
    );
  }

  /** Visits every key with its clicks in order; for the snapshot codec. */
  forEachKey(visit: (key: KeyClicks) => void): void {
    const keys = this.keys;
    for (let k = 0; k < keys.slotsUsed; k++) {
      if (keys.first[k] === NONE) continue;
      const times: number[] = [];
      const ids: string[] = [];
      const tags: string[] = [];
      for (let s = keys.first[k] as number; s !== NONE; s = this.next[s] as number) {
        times.push(this.timeAt(s));
        ids.push(this.idOf(s));
        tags.push(this.tags.text(this.tagOf.at(s)));
      }
      visit({ userId: keys.userOf(k), productId: keys.productOf(k), times, ids, tags });
    }
  }

  /**
   * Visits every key, then each of its clicks in order, as the store holds them: a UUID id as
   * its words (`text` undefined, words[at..at+3]), any other id as `text`. For the snapshot
   * codec, which writes a UUID's 16 bytes without ever making its text. Only the keys in slots
   * [fromKey, toKey) when given, so that an encoder can go a part at a time.
   */
  visitClicks(visitor: ClickVisitor, fromKey = 0, toKey = this.keys.slotsUsed): void {
    const keys = this.keys;
    const end = Math.min(toKey, keys.slotsUsed);
    for (let k = fromKey; k < end; k++) {
      const first = keys.first[k] as number;
      if (first === NONE) continue;
      let count = 0;
      for (let s = first; s !== NONE; s = this.next[s] as number) count++;
      visitor.key(keys.userOf(k), keys.productOf(k), count);
      for (let s = first; s !== NONE; s = this.next[s] as number) {
        const tag = this.tags.text(this.tagOf.at(s));
        visitor.click(this.timeAt(s), this.texts?.[s], this.words, s * 4, tag);
      }
    }
  }

  /** The retained clicks of one (user, product), in (time, id) order; [] for an unknown key. */
  clicksOf(userId: number, productId: string): RetainedClick[] {
    const k = this.keys.find(userId, productId);
    const out: RetainedClick[] = [];
    if (k === NONE) return out;
    for (let s = this.keys.first[k] as number; s !== NONE; s = this.next[s] as number) {
      out.push(this.clickAt(s));
    }
    return out;
  }

  /** Rebuilds a store from snapshot parts: each key's clicks sorted, ids unique, >= horizon. */
  static restore(horizon: number, clickCount: number, keys: Iterable<KeyClicks>): ClickStore {
    return ClickStore.restoreWith(horizon, { clicks: clickCount, keys: 0 }, (into) => {
      for (const { userId, productId, times, ids, tags } of keys) {
        if (ids.length === 0) continue;
        into.key(userId, productId);
        for (let i = 0; i < ids.length; i++) {
          into.click(ids[i] as string, times[i] as number, tags[i] ?? '');
        }
      }
    });
  }

  /**
   * Rebuilds a store from a reader that hands over each key, then its clicks in (time, id)
   * order, straight into the slots (no arrays per key): `fill` calls `into.key` for each key
   * and `into.click` for each of its clicks. Ids must be unique and times >= horizon.
   */
  static restoreWith(
    horizon: number,
    counts: { clicks: number; keys: number },
    fill: (into: StoreFiller) => void,
  ): ClickStore {
    const store = new ClickStore();
    store.retainFrom = horizon;
    store.reserve(counts.clicks);
    store.keys.reserve(counts.keys);
    let k = NONE;
    let p = NONE;
    // Appends the query id (hash `hash`) as the current key's next click.
    const append = (hash: number, time: number, tag: string) => {
      if (k === NONE) throw new Error('snapshot holds a click before its key');
      if (store.findId(hash) !== NONE) {
        throw new Error(`snapshot holds click id ${store.queryText ?? 'a UUID'} twice`);
      }
      const s = store.allocSlot(hash, time, tag);
      store.prev[s] = p;
      if (p === NONE) store.keys.first[k] = s;
      else store.next[p] = s;
      p = s;
    };
    const endKey = () => {
      if (k === NONE) return;
      if (p === NONE) throw new Error('snapshot holds a key without clicks');
      store.prev[store.keys.first[k] as number] = p; // the first click points back to the last
      store.byEarliest.push(k);
    };
    fill({
      key(userId, productId) {
        endKey();
        k = store.addKey(userId, productId);
        p = NONE;
      },
      click(id, time, tag) {
        append(store.setQuery(id), time, tag);
      },
      uuidClick(words, at, time, tag) {
        for (let i = 0; i < 4; i++) store.queryWords[i] = words[at + i] as number;
        store.queryText = undefined;
        append(hashWords(store.queryWords, 0), time, tag);
      },
    });
    endKey();
    return store;
  }

  /** Makes room for `clicks` clicks in all, so that adding them never grows the slabs. */
  private reserve(clicks: number): void {
    this.growSlots(clicks);
    this.index.reserve(clicks);
  }

  /** A new key (not yet in the heap: it has no click); renames heap items if keys moved. */
  private addKey(userId: number, productId: string): number {
    const k = this.keys.add(userId, productId);
    const renamed = this.keys.takeRenumbering();
    if (renamed !== undefined) this.byEarliest.renumber(renamed);
    return k;
  }

  private clickAt(s: number): RetainedClick {
    return {
      clickId: this.idOf(s),
      time: this.timeAt(s),
      tag: this.tags.text(this.tagOf.at(s)),
    };
  }

  /** The id of slot `s` as text (made from its words for a UUID). */
  private idOf(s: number): string {
    return this.texts?.[s] ?? uuidText(this.words, s * 4);
  }

  /** Takes `id` as the id being looked up and returns its hash. */
  private setQuery(id: string): number {
    if (uuidWords(id, this.queryWords, 0)) {
      this.queryText = undefined;
      return hashWords(this.queryWords, 0);
    }
    this.queryText = id;
    return hashString(id);
  }

  /** The slot holding the query id (whose hash is `hash`), or NONE. */
  private findId(hash: number): number {
    const index = this.index;
    const text = this.queryText;
    for (let i = index.start(hash); ; i = index.after(i)) {
      const s = index.at(i);
      if (s === NONE) return NONE;
      const held = this.texts?.[s];
      if (text === undefined) {
        if (held === undefined && compareUuidWords(this.words, s * 4, this.queryWords, 0) === 0) {
          return s;
        }
      } else if (this.textHashes[s] === hash && held === text) {
        return s;
      }
    }
  }

  private hashOfSlot(s: number): number {
    return this.texts?.[s] === undefined
      ? hashWords(this.words, s * 4)
      : (this.textHashes[s] as number);
  }

  /** The time of the click in slot `s`. */
  private timeAt(s: number): number {
    const offset = this.times[s] as number;
    return offset !== FAR ? this.epoch + offset : (this.farTimes.get(s) as number);
  }

  /** Whether `time` is too far from the epoch for `times` (an empty store moves its epoch). */
  private isFar(time: number): boolean {
    return !fitsInt32(time - this.epoch) && this.clicks > 0;
  }

  private setTime(s: number, time: number): void {
    if (this.clicks === 0) this.epoch = time;
    this.storeTime(s, time);
  }

  /** Holds `time` in slot `s`, as an offset from the epoch or, too far from it, in farTimes. */
  private storeTime(s: number, time: number): void {
    const offset = time - this.epoch;
    if (fitsInt32(offset)) {
      this.times[s] = offset;
    } else {
      this.times[s] = FAR;
      this.farTimes.set(s, time);
    }
  }

  /**
   * Moves the epoch to `time` (a click's, far from the old one: the stream has moved on, or the
   * first click was an odd one) and rewrites every retained click's offset, if fewer clicks are
   * far from it than from the old epoch. Tried once the far clicks have doubled since the last
   * try, so its O(n) is paid once per n far clicks at most.
   */
  private rebase(time: number): void {
    const old: number[] = [];
    const slots: number[] = [];
    const keys = this.keys;
    for (let k = 0; k < keys.slotsUsed; k++) {
      for (let s = keys.first[k] as number; s !== NONE; s = this.next[s] as number) {
        slots.push(s);
        old.push(this.timeAt(s));
      }
    }
    let farFromTime = 0;
    for (const t of old) if (!fitsInt32(t - time)) farFromTime++;
    if (farFromTime >= this.farTimes.size) {
      this.farAfterRebase = this.farTimes.size;
      return;
    }
    this.farTimes.clear();
    this.epoch = time;
    for (let i = 0; i < slots.length; i++) this.storeTime(slots[i] as number, old[i] as number);
    this.farAfterRebase = this.farTimes.size;
  }

  /** Orders two slots by (time, id), ids in byte order (compareTimeThenId). */
  private compareSlots(a: number, b: number): number {
    let ta = this.times[a] as number;
    let tb = this.times[b] as number;
    if (ta === FAR || tb === FAR) {
      ta = this.timeAt(a);
      tb = this.timeAt(b);
    }
    if (ta !== tb) return ta < tb ? -1 : 1;
    const texts = this.texts;
    if (texts === undefined || (texts[a] === undefined && texts[b] === undefined)) {
      return compareUuidWords(this.words, a * 4, this.words, b * 4);
    }
    return compareBytes(this.idOf(a), this.idOf(b));
  }

  /** Takes a free slot, fills it with the query id and indexes it; the caller links it. */
  private allocSlot(hash: number, time: number, tag: string): number {
    let s = this.freeSlot;
    if (s !== NONE) {
      this.freeSlot = this.next[s] as number;
    } else {
      if (this.slotsUsed === this.times.length) {
        this.growSlots(Math.ceil(this.times.length * GROWTH));
      }
      s = this.slotsUsed++;
    }
    this.setTime(s, time);
    const text = this.queryText;
    if (text === undefined) {
      if (this.words.length === 0) this.words = new Uint32Array(this.times.length * 4);
      this.words.set(this.queryWords, s * 4);
    } else {
      if (this.texts === undefined) {
        this.texts = new Array<string | undefined>(this.times.length).fill(undefined);
        this.textHashes = new Int32Array(this.times.length);
      }
      this.texts[s] = text;
      this.textHashes[s] = hash;
      this.textBytes += stringBytes(text);
    }
    this.tagOf.set(s, this.tags.use(tag));
    this.next[s] = NONE;
    this.clicks++;
    this.index.insert(s, hash);
    return s;
  }

  /** Unindexes a slot and puts it on the free list; the caller unlinks it from its key. */
  private freeSlotAt(s: number): void {
    this.clicks--;
    if (this.times[s] === FAR) {
      this.farTimes.delete(s);
      this.farAfterRebase = Math.min(this.farAfterRebase, this.farTimes.size);
    }
    this.index.remove(s, this.hashOfSlot(s));
    const text = this.texts?.[s];
    if (text !== undefined) {
      this.textBytes -= stringBytes(text);
      this.texts![s] = undefined; // release the string
    }
    this.tags.release(this.tagOf.at(s));
    this.tagOf.set(s, 0);
    this.next[s] = this.freeSlot;
    this.prev[s] = NONE;
    this.freeSlot = s;
  }

  private growSlots(size: number): void {
    if (size <= this.times.length) return;
    const times = new Int32Array(size);
    times.set(this.times);
    this.times = times;
    if (this.words.length > 0) {
      const words = new Uint32Array(size * 4);
      words.set(this.words);
      this.words = words;
    }
    this.next = grownInt32(this.next, size);
    this.prev = grownInt32(this.prev, size);
    this.tagOf.grow(size);
    if (this.texts !== undefined) {
      const texts = new Array<string | undefined>(size).fill(undefined);
      for (let i = 0; i < this.texts.length; i++) texts[i] = this.texts[i];
      this.texts = texts;
      const textHashes = new Int32Array(size);
      textHashes.set(this.textHashes);
      this.textHashes = textHashes;
    }
  }
}

// Index from an identity (a click id, a (user, product) key) to the slot number that holds it,
// for the click store: open addressing with linear probing over an Int32Array (4 bytes an
// entry, versus 20-40 for a JS Map), backward-shift deletion (no tombstones). The table's size
// is not a power of two: a hash picks its home by multiply-shift, so the table grows by 1.5x and
// keeps between 0.4 and 0.8 of its entries used instead of doubling to a load of 3/8. What a
// slot holds lives in the store; the index asks it for a slot's hash only when it rebuilds.
// The store probes itself (start, at, after), so no closure is made per lookup.

export const EMPTY = -1;

const MAX_LOAD = 0.8;
/** Load right after a rebuild: growth by ~1.5x, never straight back to MAX_LOAD. */
const REBUILT_LOAD = 0.55;
/** Below this load a large table is rebuilt smaller (the state shrank after an eviction). */
const MIN_LOAD = 0.2;
const MIN_SIZE = 16;

/** The murmur3 finalizer: spreads every input bit over every output bit. An int32. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** FNV-1a over UTF-16 code units, finished with a murmur3 mix. An int32. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return finish(h);
}

/** Hash of four 32-bit words (a UUID's, uuid-words.ts). An int32. */
export function hashWords(words: Uint32Array, at: number): number {
  let h = 0x811c9dc5;
  for (let n = 0; n < 4; n++) h = Math.imul(h ^ (words[at + n] as number), 0x01000193);
  return finish(h);
}

/** Hash of a (user id, product number) key; the user id is any safe integer. An int32. */
export function hashKey(userId: number, product: number): number {
  const low = userId >>> 0;
  const high = Math.floor(userId / 4294967296) | 0;
  let h = Math.imul(0x811c9dc5 ^ low, 0x01000193);
  h = Math.imul(h ^ high, 0x01000193);
  return finish(Math.imul(h ^ product, 0x01000193));
}

export class SlotIdIndex {
  private table = new Int32Array(MIN_SIZE).fill(EMPTY);
  private count = 0;

  /** `hashOf(slot)`: the hash of what an indexed slot holds, as it was inserted. */
  constructor(private readonly hashOf: (slot: number) => number) {}

  get byteLength(): number {
    return this.table.byteLength;
  }

  /** Makes this a copy of `other`; its slots hash as the owner of this index says. */
  copyFrom(other: SlotIdIndex): void {
    this.table = other.table.slice();
    this.count = other.count;
  }

  /** Where the probe for `hash` starts; then `at(i)` until EMPTY or a match, `after(i)`. */
  start(hash: number): number {
    return Math.floor(((hash >>> 0) * this.table.length) / 4294967296);
  }

  at(i: number): number {
    return this.table[i] as number;
  }

  after(i: number): number {
    return i + 1 === this.table.length ? 0 : i + 1;
  }

  /** Adds a slot known to be absent. */
  insert(slot: number, hash: number): void {
    this.count++;
    if (this.count > this.table.length * MAX_LOAD) this.rebuild(this.count);
    this.place(this.table, slot, hash);
  }

  /** Removes an indexed slot whose hash is `hash`. */
  remove(slot: number, hash: number): void {
    const table = this.table;
    const size = table.length;
    let i = this.start(hash);
    while (table[i] !== slot) i = this.after(i);
    // Move later entries of the probe run into the hole unless their home lies in (hole, j].
    let hole = i;
    for (let j = this.after(hole); ; j = this.after(j)) {
      const s = table[j] as number;
      if (s === EMPTY) break;
      const home = this.start(this.hashOf(s));
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!stays) {
        table[hole] = s;
        hole = j;
      }
    }
    table[hole] = EMPTY;
    this.count--;
    if (size > 1024 && this.count < size * MIN_LOAD) this.rebuild(this.count);
  }

  /** Sizes the table for `count` slots at once (a restore), so it is built a single time. */
  reserve(count: number): void {
    if (count > this.table.length * MAX_LOAD) this.rebuild(count);
  }

  /** Forgets every entry and indexes slots 0..count-1 instead (after the owner renumbered). */
  rebuildAll(count: number): void {
    this.count = count;
    this.table = new Int32Array(Math.max(MIN_SIZE, Math.ceil(count / REBUILT_LOAD))).fill(EMPTY);
    for (let s = 0; s < count; s++) this.place(this.table, s, this.hashOf(s));
  }

  private place(table: Int32Array, slot: number, hash: number): void {
    let i = Math.floor(((hash >>> 0) * table.length) / 4294967296);
    while (table[i] !== EMPTY) i = i + 1 === table.length ? 0 : i + 1;
    table[i] = slot;
  }

  private rebuild(count: number): void {
    const old = this.table;
    this.table = new Int32Array(Math.max(MIN_SIZE, Math.ceil(count / REBUILT_LOAD))).fill(EMPTY);
    for (const s of old) if (s !== EMPTY) this.place(this.table, s, this.hashOf(s));
  }
}

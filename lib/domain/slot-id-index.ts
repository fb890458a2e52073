// Index from click id to slot number for the click store: open addressing with linear probing
// over an Int32Array (4 bytes a slot, versus 20-40 per entry for a JS Set), backward-shift
// deletion (no tombstones). Ids and their hashes live in the store's slot arrays.

export const EMPTY = -1;

/** FNV-1a over UTF-16 code units, finished with a murmur3 mix so low bits spread. An int32. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class SlotIdIndex {
  private table = new Int32Array(16).fill(EMPTY);

  get byteLength(): number {
    return this.table.byteLength;
  }

  /** The slot holding `id` (whose hash is `hash`), or EMPTY. */
  find(id: string, hash: number, ids: readonly (string | undefined)[], hashes: Int32Array): number {
    const table = this.table;
    const mask = table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const s = table[i] as number;
      if (s === EMPTY || (hashes[s] === hash && ids[s] === id)) return s;
    }
  }

  /** Adds a slot known to be absent; `count` is the number of slots indexed after adding. */
  insert(slot: number, hashes: Int32Array, count: number): void {
    this.reserve(count, hashes);
    const table = this.table;
    const mask = table.length - 1;
    let i = (hashes[slot] as number) & mask;
    while (table[i] !== EMPTY) i = (i + 1) & mask;
    table[i] = slot;
  }

  /** Removes an indexed slot; `count` is the number of slots indexed after removing. */
  remove(slot: number, hashes: Int32Array, count: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = (hashes[slot] as number) & mask;
    while (table[i] !== slot) i = (i + 1) & mask;
    // Move later entries of the probe run into the hole unless their home lies in (hole, j].
    let hole = i;
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const s = table[j] as number;
      if (s === EMPTY) break;
      const home = (hashes[s] as number) & mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!stays) {
        table[hole] = s;
        hole = j;
      }
    }
    table[hole] = EMPTY;
    if (table.length > 1024 && count * 8 < table.length) this.rebuild(table.length / 2, hashes);
  }

  /** Grows the table so that `count` slots fit under a 3/4 load. */
  reserve(count: number, hashes: Int32Array): void {
    let size = this.table.length;
    while (count * 4 > size * 3) size *= 2;
    if (size !== this.table.length) this.rebuild(size, hashes);
  }

  private rebuild(size: number, hashes: Int32Array): void {
    const table = new Int32Array(size).fill(EMPTY);
    const mask = size - 1;
    for (const s of this.table) {
      if (s === EMPTY) continue;
      let i = (hashes[s] as number) & mask;
      while (table[i] !== EMPTY) i = (i + 1) & mask;
      table[i] = s;
    }
    this.table = table;
  }
}

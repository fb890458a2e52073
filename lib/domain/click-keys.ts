// The (user, product) keys of the click store, as numbered key slots: the user id in a
// Float64Array (any safe integer), the product id interned (a key holds its 4-byte number, each
// distinct product id is kept once), and the first and last click slot of the key's list. An
// open-addressing index finds a key's slot without building a `${user}/${product}` string: one
// retained click per key is the common shape, where a string and a Map entry per key would
// outweigh the click itself.
// Keys stay in the order they were made (a new key takes the next slot; freed slots are
// reclaimed by compacting, which keeps that order), so that the order in which a store lists its
// keys, and with it a snapshot's bytes, depends only on the live keys and not on the history of
// evictions: a restored store lists them as the store it was taken from.
import { InternTable } from './intern-table.ts';
import { EMPTY as NONE, hashKey, SlotIdIndex } from './slot-id-index.ts';

/**
 * Slot arrays grow by this factor: at most 1/9 of a slab is unused (1.5x left up to a third),
 * and the copies, a memcpy each, add up to about 9 times the final size over a slab's growth.
 */
export const GROWTH = 1.125;

export function grownInt32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size).fill(NONE);
  b.set(a);
  return b;
}

export class ClickKeys {
  /** First and last click slot of each key's list (NONE for a free key slot). */
  first = new Int32Array(16).fill(NONE);
  last = new Int32Array(16).fill(NONE);
  private user = new Float64Array(16);
  private product = new Int32Array(16);
  private readonly products = new InternTable();
  private readonly index = new SlotIdIndex((k) =>
    hashKey(this.user[k] as number, this.product[k] as number),
  );
  private used = 0;
  private live = 0;
  /** After a compaction, what each old key number became (NONE: it was free); else undefined. */
  private renamed: Int32Array | undefined;

  get count(): number {
    return this.live;
  }

  /** Key slots ever used: live ones are those below this with a first click. */
  get slotsUsed(): number {
    return this.used;
  }

  userOf(k: number): number {
    return this.user[k] as number;
  }

  productOf(k: number): string {
    return this.products.text(this.product[k] as number);
  }

  /** The key slot of (user, product), or NONE. */
  find(userId: number, productId: string): number {
    const product = this.products.find(productId);
    if (product === undefined) return NONE;
    const index = this.index;
    for (let i = index.start(hashKey(userId, product)); ; i = index.after(i)) {
      const k = index.at(i);
      if (k === NONE || (this.user[k] === userId && this.product[k] === product)) return k;
    }
  }

  /**
   * A new key slot for (user, product), known to be absent; the caller links its clicks. May
   * compact first, renumbering every key: see `takeRenumbering`.
   */
  add(userId: number, productId: string): number {
    if (this.used === this.first.length) {
      // Compact when a quarter of the slots are free, else grow.
      if (this.live <= this.used * 0.75) this.compact();
      else this.grow(Math.ceil(this.first.length * GROWTH));
    }
    const k = this.used++;
    // -0 and 0 are one user (they were one `${user}` text before, and === holds).
    const user = userId === 0 ? 0 : userId;
    const product = this.products.use(productId);
    this.user[k] = user;
    this.product[k] = product;
    this.first[k] = NONE;
    this.last[k] = NONE;
    this.index.insert(k, hashKey(user, product));
    this.live++;
    return k;
  }

  /** Forgets a key whose clicks are all gone. */
  remove(k: number): void {
    const product = this.product[k] as number;
    this.index.remove(k, hashKey(this.user[k] as number, product));
    this.products.release(product);
    this.first[k] = NONE;
    this.last[k] = NONE;
    this.live--;
  }

  /** Sizes the slots and the index for `count` keys at once (a restore). */
  reserve(count: number): void {
    if (count > this.first.length) this.grow(count);
    this.index.reserve(count);
  }

  estimateBytes(): number {
    return (
      this.first.length * (4 + 4 + 8 + 4) + this.index.byteLength + this.products.estimateBytes()
    );
  }

  /** The renumbering of the last compaction since this was last asked (see compact), if any. */
  takeRenumbering(): Int32Array | undefined {
    const renamed = this.renamed;
    this.renamed = undefined;
    return renamed;
  }

  /** Moves the live keys down over the free slots, in order, and re-indexes them. */
  private compact(): void {
    const renamed = new Int32Array(this.used).fill(NONE);
    let to = 0;
    for (let k = 0; k < this.used; k++) {
      if (this.first[k] === NONE) continue;
      renamed[k] = to;
      if (to !== k) {
        this.first[to] = this.first[k] as number;
        this.last[to] = this.last[k] as number;
        this.user[to] = this.user[k] as number;
        this.product[to] = this.product[k] as number;
      }
      to++;
    }
    this.first.fill(NONE, to);
    this.last.fill(NONE, to);
    this.used = to;
    this.index.rebuildAll(to);
    this.renamed = renamed;
  }

  private grow(size: number): void {
    this.first = grownInt32(this.first, size);
    this.last = grownInt32(this.last, size);
    const user = new Float64Array(size);
    user.set(this.user);
    this.user = user;
    const product = new Int32Array(size);
    product.set(this.product);
    this.product = product;
  }
}

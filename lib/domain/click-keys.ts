// The (user, product) keys of the click store, as numbered key slots: the user id (any safe
// integer) in an Int32Array when it fits one, else beside it in a map; the product id interned
// (a key holds its number, one byte while there are few products, see widening-uints.ts; each
// distinct product id is kept once); and the first click slot of the key's list (whose `prev`
// in the click store is the last). An
// open-addressing index finds a key's slot without building a `${user}/${product}` string: one
// retained click per key is the common shape, where a string and a Map entry per key would
// outweigh the click itself.
// Keys stay in the order they were made (a new key takes the next slot; freed slots are
// reclaimed by compacting, which keeps that order), so that the order in which a store lists its
// keys, and with it a snapshot's bytes, depends only on the live keys and not on the history of
// evictions: a restored store lists them as the store it was taken from.
import { InternTable } from './intern-table.ts';
import { EMPTY as NONE, hashKey, SlotIdIndex } from './slot-id-index.ts';
import { WideningUints } from './widening-uints.ts';

/**
 * Slot arrays grow by this factor: at most 1/9 of a slab is unused (1.5x left up to a third),
 * and the copies, a memcpy each, add up to about 9 times the final size over a slab's growth.
 */
export const GROWTH = 1.125;

/**
 * The int32 that marks, in a slab of int32s, a value held elsewhere (in a map beside the slab):
 * the key's user id in ClickKeys, the click's time in ClickStore.
 */
export const ESCAPED = -0x80000000;

/** Whether `value` can sit in an int32 slab as itself: a whole int32 other than ESCAPED. */
export function fitsInt32(value: number): boolean {
  return (value | 0) === value && value !== ESCAPED;
}

/** In `user`: the key's user id is in `bigUsers`. */
const BIG_USER = ESCAPED;

export function grownInt32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size).fill(NONE);
  b.set(a);
  return b;
}

export class ClickKeys {
  /** First click slot of each key's list (NONE for a free key slot). */
  first = new Int32Array(16).fill(NONE);
  /** The user id of each key, or BIG_USER for those held in `bigUsers`, by key slot. */
  private user = new Int32Array(16);
  private readonly bigUsers = new Map<number, number>();
  private readonly product = new WideningUints(16);
  private readonly products = new InternTable();
  private readonly index = new SlotIdIndex((k) => hashKey(this.userOf(k), this.product.at(k)));
  private used = 0;
  private live = 0;
  /** After a compaction, what each old key number became (NONE: it was free); else undefined. */
  private renamed: Int32Array | undefined;

  get count(): number {
    return this.live;
  }

  /** Makes this (new, empty) a copy of `other` (the two change independently afterwards). */
  copyFrom(other: ClickKeys): void {
    this.first = other.first.slice();
    this.user = other.user.slice();
    for (const [k, user] of other.bigUsers) this.bigUsers.set(k, user);
    this.product.copyFrom(other.product);
    this.products.copyFrom(other.products);
    this.index.copyFrom(other.index);
    this.used = other.used;
    this.live = other.live;
    this.renamed = other.renamed?.slice();
  }

  /** Key slots ever used: live ones are those below this with a first click. */
  get slotsUsed(): number {
    return this.used;
  }

  userOf(k: number): number {
    const user = this.user[k] as number;
    return user === BIG_USER ? (this.bigUsers.get(k) as number) : user;
  }

  productOf(k: number): string {
    return this.products.text(this.product.at(k));
  }

  /** The key slot of (user, product), or NONE. */
  find(userId: number, productId: string): number {
    const product = this.products.find(productId);
    if (product === undefined) return NONE;
    const index = this.index;
    // A big user id is never in `user`: its keys hold BIG_USER there, and are compared in full.
    const big = !fitsInt32(userId);
    for (let i = index.start(hashKey(userId, product)); ; i = index.after(i)) {
      const k = index.at(i);
      if (k === NONE) return k;
      if (this.product.at(k) !== product) continue;
      if (
        big ? this.user[k] === BIG_USER && this.bigUsers.get(k) === userId : this.user[k] === userId
      )
        return k;
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
    if (fitsInt32(user)) {
      this.user[k] = user;
    } else {
      this.user[k] = BIG_USER;
      this.bigUsers.set(k, user);
    }
    this.product.set(k, product);
    this.first[k] = NONE;
    this.index.insert(k, hashKey(user, product));
    this.live++;
    return k;
  }

  /** Forgets a key whose clicks are all gone. */
  remove(k: number): void {
    const product = this.product.at(k);
    this.index.remove(k, hashKey(this.userOf(k), product));
    if (this.user[k] === BIG_USER) this.bigUsers.delete(k);
    this.products.release(product);
    this.first[k] = NONE;
    this.live--;
  }

  /** Sizes the slots and the index for `count` keys at once (a restore). */
  reserve(count: number): void {
    if (count > this.first.length) this.grow(count);
    this.index.reserve(count);
  }

  estimateBytes(): number {
    return (
      this.first.length * (4 + 4) +
      this.bigUsers.size * 40 +
      this.product.byteLength +
      this.index.byteLength +
      this.products.estimateBytes()
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
        this.user[to] = this.user[k] as number;
        if (this.user[k] === BIG_USER) {
          this.bigUsers.set(to, this.bigUsers.get(k) as number);
          this.bigUsers.delete(k);
        }
        this.product.move(k, to);
      }
      to++;
    }
    this.first.fill(NONE, to);
    this.used = to;
    this.index.rebuildAll(to);
    this.renamed = renamed;
  }

  private grow(size: number): void {
    this.first = grownInt32(this.first, size);
    const user = new Int32Array(size);
    user.set(this.user);
    this.user = user;
    this.product.grow(size);
  }
}

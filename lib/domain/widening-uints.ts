// An array of small unsigned numbers that takes one byte each while they fit, and widens to two,
// then four bytes the first time one does not. For the click store's interned numbers (a
// click's tag, a key's product): a stream has a few dozen tags and a catalogue of thousands of
// products, and four bytes for each of a million clicks and keys was 5 of the ~80 bytes a
// sparse key's click took. Numbers are whole, 0 to 2^32 - 1.

type Slab = Uint8Array | Uint16Array | Uint32Array;

export class WideningUints {
  private slab: Slab;
  /** The largest number the slab's width holds. */
  private limit = 0xff;

  constructor(size: number) {
    this.slab = new Uint8Array(size);
  }

  get length(): number {
    return this.slab.length;
  }

  get byteLength(): number {
    return this.slab.byteLength;
  }

  at(i: number): number {
    return this.slab[i] as number;
  }

  set(i: number, value: number): void {
    if (value > this.limit) this.widen(value);
    this.slab[i] = value;
  }

  /** Copies entry `from` to `to`. */
  move(from: number, to: number): void {
    this.slab[to] = this.slab[from] as number;
  }

  /** Makes this a copy of `other` (the two change independently afterwards). */
  copyFrom(other: WideningUints): void {
    this.slab = other.slab.slice();
    this.limit = other.limit;
  }

  /** Room for `size` entries, the new ones 0. */
  grow(size: number): void {
    if (size > this.slab.length) this.resize(size, this.slab.BYTES_PER_ELEMENT);
  }

  private widen(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`${value} is not a number WideningUints holds`);
    }
    const bytes = value > 0xffff ? 4 : 2;
    this.resize(this.slab.length, bytes);
    this.limit = bytes === 2 ? 0xffff : 0xffffffff;
  }

  /** Moves the entries to a slab of `size` entries of `bytes` bytes each. */
  private resize(size: number, bytes: number): void {
    const slab =
      bytes === 1
        ? new Uint8Array(size)
        : bytes === 2
          ? new Uint16Array(size)
          : new Uint32Array(size);
    slab.set(this.slab);
    this.slab = slab;
  }
}

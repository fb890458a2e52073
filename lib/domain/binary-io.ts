// Little-endian binary writer and reader for snapshots: u8, u32, f64 and length-prefixed UTF-8
// strings. The reader throws RangeError on truncated input instead of reading garbage.

const NULL_STRING = 0xffffffff;
/** Longer strings go to Buffer.write at once (its per-byte speed wins over its call cost). */
const ASCII_LOOP_MAX = 64;

export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Forgets everything written after `length` bytes (to take back a record that did not fit). */
  truncate(length: number): void {
    if (length < 0 || length > this.pos) throw new RangeError(`cannot truncate to ${length}`);
    this.pos = length;
  }

  u8(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  u32(value: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32LE(value, this.pos);
  }

  f64(value: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(value, this.pos);
  }

  str(value: string): void {
    const n = value.length;
    this.ensure(4 + n * 3);
    const buf = this.buf;
    const start = this.pos + 4;
    // Ids, products and tags are short ASCII: copied here they cost half of a native
    // Buffer.write call (its fixed cost dominates short strings; node micro-benchmark, 1M ids).
    let i = 0;
    if (n <= ASCII_LOOP_MAX) {
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) break;
        buf[start + i] = c;
      }
    }
    const bytes = i === n ? n : buf.write(value, start, 'utf8');
    buf.writeUInt32LE(bytes, this.pos);
    this.pos = start + bytes;
  }

  nullableStr(value: string | null): void {
    if (value === null) this.u32(NULL_STRING);
    else this.str(value);
  }

  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** The bytes written (a copy, so the writer's spare capacity is not kept alive). */
  finish(): Buffer {
    // allocUnsafe: Buffer.from(subarray) zero-fills its new memory before copying over it.
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}

export class ByteReader {
  private readonly buf: Buffer;
  private pos = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(): number {
    const value = this.buf.readUInt8(this.pos);
    this.pos += 1;
    return value;
  }

  u32(): number {
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  f64(): number {
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  str(): string {
    return this.stringOfLength(this.u32());
  }

  nullableStr(): string | null {
    const length = this.u32();
    return length === NULL_STRING ? null : this.stringOfLength(length);
  }

  bytes(length: number): Buffer {
    if (this.pos + length > this.buf.length) throw new RangeError('snapshot truncated');
    const value = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return value;
  }

  private stringOfLength(length: number): string {
    const end = this.pos + length;
    if (end > this.buf.length) throw new RangeError('snapshot truncated');
    const value = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return value;
  }
}

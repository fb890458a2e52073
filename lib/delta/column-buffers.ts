// One column of a data file being written: its values, buffered in chunks that are handed to the
// Parquet encoder and cleared, and its per-file Delta statistics (PROTOCOL.md "Per-file
// Statistics"), covering every row since the file began: numbers as values are appended, string
// bounds folded in once per chunk (when it is encoded, or read). Pure.
// Value conventions (delta-values.ts): timestamp = epoch ms, date = days since 1970-01-01,
// decimal = unscaled bigint (cents for scale 2), long = a safe integer.
import { compareBytes } from '../domain/byte-order.ts';
import { decimalOf, type DeltaField } from './delta-schema.ts';

/** Strings longer than this (in code points) keep a prefix as min and no max, as Delta allows. */
export const STATS_STRING_PREFIX = 32;

export type ColumnValue = string | number | bigint | boolean | Uint8Array | null;

abstract class ColumnBase<V> {
  length = 0;
  nullCount = 0;
  /** Rows in the file so far (all chunks). */
  fileRows = 0;
  fileNullCount = 0;
  /** 1 = valid, 0 = null; only kept for nullable columns. */
  validity: Uint8Array;

  constructor(readonly field: DeltaField) {
    this.validity = new Uint8Array(field.nullable ? 1024 : 0);
  }

  push(value: V | null): void {
    if (value === null || value === undefined) {
      if (!this.field.nullable)
        throw new Error(`column "${this.field.name}" is not nullable: got null`);
      this.ensureValidity();
      this.validity[this.length] = 0;
      this.nullCount++;
      this.fileNullCount++;
      this.pushNull();
    } else {
      if (this.field.nullable) {
        this.ensureValidity();
        this.validity[this.length] = 1;
      }
      this.pushValue(value);
    }
    this.length++;
    this.fileRows++;
  }

  private ensureValidity(): void {
    if (this.length < this.validity.length) return;
    const next = new Uint8Array(Math.max(1024, this.validity.length * 2));
    next.set(this.validity);
    this.validity = next;
  }

  /** Clears the buffered rows; the file statistics stay. */
  resetChunk(): void {
    this.length = 0;
    this.nullCount = 0;
    this.clearValues();
  }

  /** Starts a new file: clears rows and statistics. */
  resetFile(): void {
    this.resetChunk();
    this.fileRows = 0;
    this.fileNullCount = 0;
    this.clearStats();
  }

  protected abstract pushValue(value: V): void;
  protected abstract pushNull(): void;
  protected abstract clearValues(): void;
  protected abstract clearStats(): void;
  /** [min, max] as Delta stats JSON values, or undefined when not recorded for this column. */
  abstract statsBounds(): { min?: unknown; max?: unknown } | undefined;
  /** Rough bytes held, to decide when to flush a chunk. */
  abstract estimatedBytes(): number;
}

export class StringColumn extends ColumnBase<string> {
  values: (string | null)[] = [];
  private bytes = 0;
  private min: string | undefined;
  private max: string | undefined;
  /** Rows of the chunk already counted in min/max: bounds are folded in per chunk, not per push. */
  private foldedRows = 0;

  protected pushValue(value: string): void {
    this.values.push(value);
    this.bytes += value.length + 4;
  }
  protected pushNull(): void {
    this.values.push(null);
    this.bytes += 4;
  }
  protected clearValues(): void {
    this.foldBounds();
    this.values = [];
    this.bytes = 0;
    this.foldedRows = 0;
  }
  protected clearStats(): void {
    this.min = undefined;
    this.max = undefined;
    this.foldedRows = this.values.length;
  }
  /**
   * Counts the chunk's rows not yet counted in min/max. JS `<` (UTF-16 units) is UTF-8 byte
   * order unless a surrogate is involved, so when the caller knows the chunk has none (the Arrow
   * encoder sees whether it is ASCII) and the bounds have none, the native comparison runs;
   * otherwise the byte-order one, which is always right.
   */
  foldBounds(chunkWithoutSurrogates = false): void {
    const values = this.values;
    if (this.foldedRows >= values.length) return;
    let min = this.min;
    let max = this.max;
    const native =
      chunkWithoutSurrogates &&
      (min === undefined || !SURROGATE.test(min)) &&
      (max === undefined || !SURROGATE.test(max));
    for (let i = this.foldedRows; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      if (min === undefined || max === undefined) {
        min = v;
        max = v;
      } else if (native) {
        if (v < min) min = v;
        else if (v > max) max = v;
      } else {
        if (compareBytes(v, min) < 0) min = v;
        else if (compareBytes(v, max) > 0) max = v;
      }
    }
    this.foldedRows = values.length;
    this.min = min;
    this.max = max;
  }
  statsBounds() {
    this.foldBounds();
    if (this.min === undefined || this.max === undefined) return undefined;
    const min = truncateCodePoints(this.min, STATS_STRING_PREFIX);
    const maxFits = truncateCodePoints(this.max, STATS_STRING_PREFIX) === this.max;
    return maxFits ? { min, max: this.max } : { min };
  }
  estimatedBytes(): number {
    return this.bytes;
  }
}

/** A UTF-16 surrogate unit: where JS string order and UTF-8 byte order may differ. */
const SURROGATE = /[\ud800-\udfff]/;

export class BinaryColumn extends ColumnBase<Uint8Array> {
  values: (Uint8Array | null)[] = [];
  private bytes = 0;

  protected pushValue(value: Uint8Array): void {
    this.values.push(value);
    this.bytes += value.length + 4;
  }
  protected pushNull(): void {
    this.values.push(null);
    this.bytes += 4;
  }
  protected clearValues(): void {
    this.values = [];
    this.bytes = 0;
  }
  protected clearStats(): void {}
  /** Delta (like Spark) keeps no min/max for binary columns. */
  statsBounds() {
    return undefined;
  }
  estimatedBytes(): number {
    return this.bytes;
  }
}

export type NumericKind = 'long' | 'integer' | 'double' | 'date' | 'timestamp';

export class NumericColumn extends ColumnBase<number> {
  values = new Float64Array(1024);
  private min = Infinity;
  private max = -Infinity;
  readonly kind: NumericKind;

  constructor(field: DeltaField) {
    super(field);
    if (field.type === 'long' || field.type === 'integer' || field.type === 'double')
      this.kind = field.type;
    else if (field.type === 'short' || field.type === 'byte') this.kind = 'integer';
    else if (field.type === 'float') this.kind = 'double';
    else if (field.type === 'date' || field.type === 'timestamp') this.kind = field.type;
    else throw new Error(`column "${field.name}": ${field.type} is not numeric`);
  }

  protected pushValue(value: number): void {
    if (this.kind !== 'double' && !Number.isSafeInteger(value)) {
      throw new Error(
        `column "${this.field.name}" (${this.field.type}): ${value} is not a safe integer`,
      );
    }
    if (this.kind === 'integer' && (value < -2147483648 || value > 2147483647)) {
      throw new Error(`column "${this.field.name}" (integer): ${value} is out of range`);
    }
    this.grow();
    this.values[this.length] = value;
    if (!Number.isNaN(value)) {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
  }
  protected pushNull(): void {
    this.grow();
    this.values[this.length] = 0;
  }
  private grow(): void {
    if (this.length < this.values.length) return;
    const next = new Float64Array(this.values.length * 2);
    next.set(this.values);
    this.values = next;
  }
  protected clearValues(): void {
    if (this.values.length > 65_536 * 4) this.values = new Float64Array(1024);
  }
  protected clearStats(): void {
    this.min = Infinity;
    this.max = -Infinity;
  }
  statsBounds() {
    if (this.min > this.max || !Number.isFinite(this.min) || !Number.isFinite(this.max))
      return undefined;
    return { min: this.format(this.min), max: this.format(this.max) };
  }
  private format(v: number): unknown {
    if (this.kind === 'timestamp') return new Date(v).toISOString();
    if (this.kind === 'date') return new Date(v * 86_400_000).toISOString().slice(0, 10);
    return v;
  }
  estimatedBytes(): number {
    return this.length * 8;
  }
}

/** Doubles print decimals of up to 15 significant digits exactly; larger bounds are left out. */
const EXACT_STATS_LIMIT = 10n ** 15n;

/** Decimal values as unscaled bigints, so DECIMAL(38,s) stays exact. */
export class DecimalColumn extends ColumnBase<bigint> {
  values: bigint[] = [];
  private min: bigint | undefined;
  private max: bigint | undefined;
  readonly precision: number;
  readonly scale: number;
  private readonly limit: bigint;

  constructor(field: DeltaField) {
    super(field);
    const decimal = decimalOf(field.type);
    if (!decimal) throw new Error(`column "${field.name}": ${field.type} is not a decimal`);
    this.precision = decimal.precision;
    this.scale = decimal.scale;
    this.limit = 10n ** BigInt(decimal.precision);
  }

  protected pushValue(value: bigint): void {
    if (value >= this.limit || value <= -this.limit) {
      throw new Error(
        `column "${this.field.name}" (${this.field.type}): ${value} (unscaled) does not fit`,
      );
    }
    this.values.push(value);
    if (this.min === undefined || value < this.min) this.min = value;
    if (this.max === undefined || value > this.max) this.max = value;
  }
  protected pushNull(): void {
    this.values.push(0n);
  }
  protected clearValues(): void {
    this.values = [];
  }
  protected clearStats(): void {
    this.min = undefined;
    this.max = undefined;
  }
  statsBounds() {
    if (this.min === undefined || this.max === undefined) return undefined;
    const exact = (v: bigint) =>
      v < EXACT_STATS_LIMIT && v > -EXACT_STATS_LIMIT ? Number(v) / 10 ** this.scale : undefined;
    return { min: exact(this.min), max: exact(this.max) };
  }
  estimatedBytes(): number {
    return this.length * 16;
  }
}

export class BooleanColumn extends ColumnBase<boolean> {
  values = new Uint8Array(1024);

  protected pushValue(value: boolean): void {
    this.grow();
    this.values[this.length] = value ? 1 : 0;
  }
  protected pushNull(): void {
    this.grow();
    this.values[this.length] = 0;
  }
  private grow(): void {
    if (this.length < this.values.length) return;
    const next = new Uint8Array(this.values.length * 2);
    next.set(this.values);
    this.values = next;
  }
  protected clearValues(): void {}
  protected clearStats(): void {}
  /** Spark keeps no min/max for booleans either; nullCount is enough for skipping. */
  statsBounds() {
    return undefined;
  }
  estimatedBytes(): number {
    return this.length;
  }
}

export type Column = StringColumn | BinaryColumn | NumericColumn | DecimalColumn | BooleanColumn;

export function createColumn(field: DeltaField): Column {
  if (field.type === 'string') return new StringColumn(field);
  if (field.type === 'binary') return new BinaryColumn(field);
  if (field.type === 'boolean') return new BooleanColumn(field);
  if (decimalOf(field.type)) return new DecimalColumn(field);
  return new NumericColumn(field);
}

/** The first `n` code points of `s`, never splitting a surrogate pair. */
export function truncateCodePoints(s: string, n: number): string {
  if (s.length <= n) return s;
  let units = 0;
  let points = 0;
  while (units < s.length && points < n) {
    const code = s.charCodeAt(units);
    units += code >= 0xd800 && code <= 0xdbff && units + 1 < s.length ? 2 : 1;
    points++;
  }
  return s.slice(0, units);
}

// How avsc builds the types of our Avro values, writer schemas from the registry included: every
// long as a bigint (an Avro long holds 64 bits; a double would round one past 2^53 − 1 into a
// valid-looking user id, and avsc's own long refuses to read it at all), `decimal` keeping its
// precision and scale, `timestamp-millis` kept as a logical type so a writer's timestamp unit is
// known. Pure: no I/O.
import avro from 'avsc';

/** A decimal as Avro stores it: value = unscaled × 10^−scale. */
export interface AvroDecimalValue {
  unscaled: bigint;
  scale: number;
}

/** Avro `long` as a bigint, exact over the whole 64-bit range. */
export const BIGINT_LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (value: unknown) => BigInt(value as number | string),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/** Two's-complement big-endian bytes (Avro's decimal) to a bigint. */
export function bigintOfTwosComplement(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const bits = BigInt(bytes.length * 8);
  return bytes[0]! & 0x80 ? value - (1n << bits) : value;
}

/** The shortest two's-complement big-endian bytes of `value`. */
export function twosComplementOf(value: bigint): Buffer {
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n; // arithmetic shift: -1 stays -1
    const signBit = (bytes[0]! & 0x80) !== 0;
    if ((rest === 0n && !signBit) || (rest === -1n && signBit)) break;
  }
  return Buffer.from(bytes);
}

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Avro `decimal` on bytes or fixed. Reads to {unscaled, scale}; writes such a value or decimal
 * text ("19.90"), refusing text with more decimals than the scale (never rounds).
 */
export class AvroDecimal extends avro.types.LogicalType {
  readonly precision: number;
  readonly scale: number;

  constructor(schema: avro.Schema, opts?: avro.ForSchemaOptions) {
    super(schema, opts);
    const s = schema as { precision?: unknown; scale?: unknown };
    const precision = s.precision;
    const scale = s.scale ?? 0;
    if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) {
      throw new Error(`decimal needs a positive integer precision, got ${String(precision)}`);
    }
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new Error(`decimal needs a scale in 0..precision, got ${String(scale)}`);
    }
    this.precision = precision;
    this.scale = scale;
  }

  protected override _fromValue(bytes: Buffer): AvroDecimalValue {
    return { unscaled: bigintOfTwosComplement(bytes), scale: this.scale };
  }

  protected override _toValue(value: unknown): Buffer | undefined {
    const unscaled = this.unscaledOf(value);
    if (unscaled === undefined) return undefined;
    const bytes = twosComplementOf(unscaled);
    const underlying = this.underlyingType as unknown as { typeName: string; size?: number };
    if (underlying.typeName !== 'fixed') return bytes;
    const size = underlying.size!;
    if (bytes.length > size) return undefined;
    const fill = unscaled < 0n ? 0xff : 0;
    return Buffer.concat([Buffer.alloc(size - bytes.length, fill), bytes]);
  }

  private unscaledOf(value: unknown): bigint | undefined {
    if (typeof value === 'string') {
      const m = DECIMAL_TEXT.exec(value);
      if (!m) return undefined;
      const [, sign, whole = '', fraction = ''] = m;
      if (fraction.length > this.scale) return undefined;
      const digits = BigInt(whole + fraction.padEnd(this.scale, '0'));
      return sign === '-' ? -digits : digits;
    }
    if (value && typeof value === 'object') {
      const { unscaled, scale } = value as Partial<AvroDecimalValue>;
      if (typeof unscaled === 'bigint' && scale === this.scale) return unscaled;
    }
    return undefined;
  }

  protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    if (type instanceof AvroDecimal && type.scale === this.scale) return (v) => v;
    return undefined;
  }

  protected override _export(attrs: avro.Schema): void {
    Object.assign(attrs as object, { precision: this.precision, scale: this.scale });
  }
}

/** Avro `timestamp-millis` on a long: epoch milliseconds as a bigint, kept exact. */
export class AvroTimestampMillis extends avro.types.LogicalType {
  protected override _fromValue(millis: bigint): bigint {
    return millis;
  }

  protected override _toValue(value: unknown): bigint | undefined {
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
    if (value instanceof Date && Number.isFinite(value.getTime())) return BigInt(value.getTime());
    return undefined;
  }

  protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    return type instanceof AvroTimestampMillis ? (v) => v : undefined;
  }
}

const LOGICAL_TYPES: Record<string, typeof AvroDecimal | typeof AvroTimestampMillis> = {
  decimal: AvroDecimal,
  'timestamp-millis': AvroTimestampMillis,
};

/**
 * Every long is BIGINT_LONG, the long under a known logical type too. avsc asks the hook twice
 * for `{"type": "long", "logicalType": "timestamp-millis"}`: first for the logical type (answer
 * nothing, so avsc builds it), then for its underlying long (answer the bigint long). `pending`
 * tells the two calls apart.
 */
function bigintLongs(): (schema: avro.Schema) => avro.Type | undefined {
  const pending = new WeakSet<object>();
  return (schema) => {
    if (schema === 'long') return BIGINT_LONG;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
    const s = schema as { type?: unknown; logicalType?: unknown };
    if (s.type !== 'long') return undefined;
    if (typeof s.logicalType !== 'string' || !Object.hasOwn(LOGICAL_TYPES, s.logicalType)) {
      return BIGINT_LONG;
    }
    if (pending.has(schema)) {
      pending.delete(schema);
      return BIGINT_LONG;
    }
    pending.add(schema);
    return undefined;
  };
}

/** avsc's forSchema options for our Avro values: fresh for each use (the hook keeps state). */
export function avroTypeOptions(): Partial<avro.ForSchemaOptions> {
  return { logicalTypes: LOGICAL_TYPES, typeHook: bigintLongs(), wrapUnions: 'auto' };
}

/** The avsc type of an Avro schema (JSON text or parsed), built with avroTypeOptions(). */
export function avroType(schema: string | avro.Schema): avro.Type {
  const parsed = typeof schema === 'string' ? (JSON.parse(schema) as avro.Schema) : schema;
  return avro.Type.forSchema(parsed, avroTypeOptions());
}

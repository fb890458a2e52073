// The Confluent wire format of an Avro value: magic byte 0, the writer schema's registry id as 4
// bytes big-endian, then the Avro binary body. JSON text never starts with byte 0 (it starts with
// whitespace, `{`, `[`, `"`, a digit, `-`, `t`, `f` or `n`), so the first byte tells the two
// encodings apart, message by message. Pure.
import type { RawMessage } from './events.ts';

export const AVRO_MAGIC_BYTE = 0;
/** Magic byte and schema id. */
export const AVRO_FRAME_HEADER_BYTES = 5;

export type WireFrame =
  | { encoding: 'json' }
  | { encoding: 'avro'; schemaId: number; body: Uint8Array }
  /** Magic byte 0 but too short to hold a schema id: invalid_frame. */
  | { encoding: 'avro'; schemaId: null };

const JSON_FRAME: WireFrame = { encoding: 'json' };

/** How a message is written. A tombstone and a string are JSON's (as text, they can only be). */
export function readFrame(raw: RawMessage): WireFrame {
  if (raw === null || typeof raw === 'string' || raw.length === 0) return JSON_FRAME;
  if (raw[0] !== AVRO_MAGIC_BYTE) return JSON_FRAME;
  if (raw.length < AVRO_FRAME_HEADER_BYTES) return { encoding: 'avro', schemaId: null };
  // Confluent writes the id as a signed int; registries hand out positive ids.
  const schemaId = ((raw[1]! << 24) | (raw[2]! << 16) | (raw[3]! << 8) | raw[4]!) >>> 0;
  return { encoding: 'avro', schemaId, body: raw.subarray(AVRO_FRAME_HEADER_BYTES) };
}

/** The framed value of an Avro body written with schema `schemaId`. */
export function frameAvro(schemaId: number, body: Uint8Array): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffff_ffff) {
    throw new Error(`schema id ${schemaId} does not fit 4 bytes`);
  }
  const out = Buffer.allocUnsafe(AVRO_FRAME_HEADER_BYTES + body.length);
  out[0] = AVRO_MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  out.set(body, AVRO_FRAME_HEADER_BYTES);
  return out;
}

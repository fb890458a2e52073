// How the simulator writes a generated message on the wire: JSON as the original generator does
// (the value as generated), or Confluent-framed Avro (magic byte 0, the writer schema's registry
// id as 4 bytes big-endian, the Avro binary body) with click schema v1 or v2. A malformed message
// stays the JSON it was made as in either encoding: the stream is mixed per message, as the
// repartitioner and the lake export accept it. Plain avsc types (no logical types) over the
// generator's JSON values: the timestamp is the event time in ms, the amount exact cents. Pure:
// the schemas and their ids come in.
import avro from 'avsc';
import { frameAvro } from '../domain/avro-frame.ts';
import { twosComplementOf } from '../domain/avro-types.ts';
import type { GeneratedMessage } from './stream-generator.ts';

export const MESSAGE_ENCODINGS = ['json', 'avro'] as const;
export type MessageEncoding = (typeof MESSAGE_ENCODINGS)[number];

/** The click schemas a producer may write: v2 adds the optional session_id. */
export const CLICK_SCHEMA_VERSIONS = ['v1', 'v2'] as const;
export type ClickSchemaVersion = (typeof CLICK_SCHEMA_VERSIONS)[number];

/** What the simulator writes with: the encoding and, for Avro, the click schema version. */
export interface WireFormat {
  encoding: MessageEncoding;
  clickSchema: ClickSchemaVersion;
}

export const DEFAULT_WIRE_FORMAT: WireFormat = { encoding: 'json', clickSchema: 'v1' };

/** A schema as registered: its registry id and its text. */
export interface RegisteredSchema {
  id: number;
  schema: string;
}

export interface AvroWriterSchemas {
  click: RegisteredSchema;
  checkout: RegisteredSchema;
}

/** Encodes one generated message for its topic. */
export type MessageEncoder = (message: GeneratedMessage) => string | Buffer;

export const jsonEncoder: MessageEncoder = (m) => m.value;

/**
 * JSON with click v2's field: a click gains `session_id` (its generator session); everything else
 * is the value as generated.
 */
export const jsonV2Encoder: MessageEncoder = (m) =>
  m.topic === 'clicks' && m.fields && m.kind !== 'malformed'
    ? JSON.stringify({ ...m.fields, session_id: m.sessionId ?? null })
    : m.value;

/** Cents of a generated amount (a JSON number with at most two decimals) as an exact integer. */
function cents(amount: unknown): bigint {
  if (typeof amount !== 'number' || !Number.isFinite(amount))
    throw new Error(`total_amount ${String(amount)} is not a finite number`);
  return BigInt(Math.round(amount * 100));
}

/**
 * The Avro encoder for these registered schemas. The click record follows the click schema's
 * fields: session_id is written when the schema has it (v2), from the generator's session.
 */
export function avroEncoder(schemas: AvroWriterSchemas): MessageEncoder {
  const clickType = avro.Type.forSchema(JSON.parse(schemas.click.schema) as avro.Schema);
  const checkoutType = avro.Type.forSchema(JSON.parse(schemas.checkout.schema) as avro.Schema);
  const withSession = (
    JSON.parse(schemas.click.schema) as { fields: { name: string }[] }
  ).fields.some((f) => f.name === 'session_id');
  return (m) => {
    if (!m.fields || m.eventTime === null) return m.value;
    const time = { datetime_occured: m.eventTime };
    if (m.topic === 'clicks') {
      const record = {
        ...m.fields,
        ...time,
        ...(withSession ? { session_id: m.sessionId ?? null } : {}),
      };
      return frameAvro(schemas.click.id, clickType.toBuffer(record));
    }
    const record = {
      ...m.fields,
      ...time,
      total_amount: twosComplementOf(cents(m.fields.total_amount)),
    };
    return frameAvro(schemas.checkout.id, checkoutType.toBuffer(record));
  };
}

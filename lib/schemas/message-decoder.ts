// Reads source messages of either encoding, per message: JSON (events.ts, the hot path, as fast
// as parseClick itself) or Confluent-framed Avro (lib/domain/avro-frame.ts), whose body is decoded
// with its writer schema and judged by the same checks (lib/domain/avro-events.ts). Parsing is
// synchronous, so the writer schemas of a batch are fetched first, by `prepare`: while the
// registry is unreachable it retries with backoff and does not return (the partition waits, no
// message is dropped or dead-lettered for it); an id the registry does not know (404) is
// remembered as unknown, and its messages are dead letters `unknown_schema`.
import avro from 'avsc';
import pRetry, { AbortError } from 'p-retry';
import { readFrame } from '../domain/avro-frame.ts';
import {
  avroCheckoutReader,
  avroClickReader,
  type AvroEventReader,
} from '../domain/avro-events.ts';
import { avroType } from '../domain/avro-types.ts';
import {
  parseCheckout,
  parseClick,
  type Checkout,
  type Click,
  type DeadLetterKind,
  type ParseOptions,
  type ParseResult,
  type RawMessage,
} from '../domain/events.ts';
import { registryErrorKind, type SchemaRegistryLike } from './schema-registry.ts';

/** How a value is written, for metrics: schemaId null for a frame too short to hold one. */
export type MessageEncoding = { encoding: 'json' } | { encoding: 'avro'; schemaId: number | null };

export interface MessageDecoder {
  /**
   * Fetches the writer schemas of the framed Avro values among these (retrying while the
   * registry is unreachable; an id the registry does not know is remembered as unknown).
   * Throws only when `signal` aborts, or on an error that is neither (a bug).
   */
  prepare(values: readonly (Uint8Array | null)[], signal?: AbortSignal): Promise<void>;
  /** Parses one `clicks` message; synchronous, after `prepare` saw its value. */
  parseClick(raw: RawMessage, options: ParseOptions): ParseResult<Click>;
  /** Parses one `checkouts` message; synchronous, after `prepare` saw its value. */
  parseCheckout(raw: RawMessage, options: ParseOptions): ParseResult<Checkout>;
  /** Encoding and schema id of a value, for metrics. */
  encodingOf(raw: RawMessage): MessageEncoding;
}

export interface MessageDecoderOptions {
  /** Each failed attempt to reach the registry (it is retried): health and metrics. */
  onTransient?: (description: string, attempt: number) => void;
  /** The registry answered again after failed attempts. */
  onRecovered?: () => void;
  /** Backoff bounds while the registry is unreachable; default 100 ms doubling up to 5 s. */
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
}

/** What the process knows of one schema id. */
type WriterEntry =
  | { known: false }
  /** The registry has it, but it is no schema avsc can build: its messages are invalid_avro. */
  | { known: true; unreadable: string }
  | {
      known: true;
      unreadable?: undefined;
      writer: unknown;
      click?: AvroEventReader<Click>;
      checkout?: AvroEventReader<Checkout>;
    };

type Failure = { ok: false; kind: DeadLetterKind; reason: string };
const failure = (kind: DeadLetterKind, detail: string): Failure => ({
  ok: false,
  kind,
  reason: `${kind}: ${detail}`,
});

const JSON_ENCODING: MessageEncoding = { encoding: 'json' };

/** An error of the registry's HTTP answer (the client's ResponseError carries the status). */
const isHttpError = (error: unknown): boolean =>
  typeof (error as { status?: unknown } | null)?.status === 'number';

/**
 * A decoder over `registry`. Without one (SCHEMA_REGISTRY_URL unset), an Avro-framed value is a
 * dead letter `unknown_schema: no schema registry configured`.
 */
export function createMessageDecoder(
  registry: SchemaRegistryLike | undefined,
  o: MessageDecoderOptions = {},
): MessageDecoder {
  const writers = new Map<number, WriterEntry>();

  async function fetchWriter(id: number, signal: AbortSignal | undefined): Promise<WriterEntry> {
    let failed = 0;
    const entry = await pRetry(
      async (): Promise<WriterEntry> => {
        try {
          const schema: unknown = await registry!.getSchema(id);
          // Rebuilt with the gate's options, whoever built the client's: longs as bigint.
          const writer = avro.Type.isType(schema)
            ? avroType((schema as avro.Type).schema({ exportAttrs: true }))
            : schema;
          return { known: true, writer };
        } catch (error) {
          const kind = registryErrorKind(error);
          if (kind === 'unknown_schema') return { known: false };
          if (kind === 'transient') throw error;
          // The registry answered, with a schema avsc refuses to build (the client builds it
          // after the request): bad data, not a bug to crash on again at every restart.
          if (!isHttpError(error) && error instanceof Error) {
            return { known: true, unreadable: error.message };
          }
          throw new AbortError(error as Error);
        }
      },
      {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: o.minTimeoutMs ?? 100,
        maxTimeout: o.maxTimeoutMs ?? 5_000,
        factor: 2,
        randomize: true,
        signal,
        onFailedAttempt: ({ error, attemptNumber }) => {
          failed = attemptNumber;
          o.onTransient?.(`schema ${id}: ${error.message}`, attemptNumber);
        },
      },
    );
    if (failed > 0) o.onRecovered?.();
    return entry;
  }

  function frameFailure(raw: Uint8Array): Failure {
    return failure(
      'invalid_frame',
      `${raw.length} byte(s) starting with magic byte 0; a Confluent frame needs 5 (magic byte and schema id) before the Avro body`,
    );
  }

  /** The known writer of `id`, or the dead letter of its messages. */
  function writerOf(id: number): Extract<WriterEntry, { writer: unknown }> | Failure {
    if (!registry) return failure('unknown_schema', 'no schema registry configured');
    const entry = writers.get(id);
    if (!entry) throw new Error(`schema ${id} was not prepared before parsing (a bug)`);
    if (!entry.known) return failure('unknown_schema', `schema id ${id} is not in the registry`);
    if (entry.unreadable !== undefined) {
      return failure('invalid_avro', `writer schema ${id} cannot be read: ${entry.unreadable}`);
    }
    return entry;
  }

  return {
    async prepare(values, signal) {
      if (!registry) return;
      const missing = new Set<number>();
      for (const value of values) {
        const frame = readFrame(value);
        if (frame.encoding === 'avro' && frame.schemaId !== null && !writers.has(frame.schemaId)) {
          missing.add(frame.schemaId);
        }
      }
      for (const id of missing) writers.set(id, await fetchWriter(id, signal));
    },

    parseClick(raw, options) {
      const frame = readFrame(raw);
      if (frame.encoding === 'json') return parseClick(raw, options);
      if (frame.schemaId === null) return frameFailure(raw as Uint8Array);
      const entry = writerOf(frame.schemaId);
      if (!('known' in entry)) return entry;
      entry.click ??= avroClickReader(frame.schemaId, entry.writer);
      return entry.click.read(frame.body, options);
    },

    parseCheckout(raw, options) {
      const frame = readFrame(raw);
      if (frame.encoding === 'json') return parseCheckout(raw, options);
      if (frame.schemaId === null) return frameFailure(raw as Uint8Array);
      const entry = writerOf(frame.schemaId);
      if (!('known' in entry)) return entry;
      entry.checkout ??= avroCheckoutReader(frame.schemaId, entry.writer);
      return entry.checkout.read(frame.body, options);
    },

    encodingOf(raw) {
      const frame = readFrame(raw);
      return frame.encoding === 'json'
        ? JSON_ENCODING
        : { encoding: 'avro', schemaId: frame.schemaId };
    },
  };
}

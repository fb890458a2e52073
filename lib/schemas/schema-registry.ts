// The schema registry client: @kafkajs/confluent-schema-registry over the Confluent REST API
// (Confluent Schema Registry, or Apicurio's /apis/ccompat/v7), with its cache of schemas by id
// (a schema id never changes meaning, so it is asked once per process), building Avro types
// the way the Avro gate reads them (lib/domain/avro-types.ts). And what its errors mean: the
// registry does not know an id (404: the message is a dead letter), or it is away or failing
// (refused, timed out, 5xx: retry, the message waits), or anything else (a bug: crash).
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { avroTypeOptions } from '../domain/avro-types.ts';

/** What the Avro gate needs of a registry: the writer schema of an id (an avsc type for Avro). */
export type SchemaRegistryLike = Pick<SchemaRegistry, 'getSchema'>;

export interface SchemaRegistryOptions {
  /** A request not answered within this is a transient failure (default 5 s). */
  timeoutMs?: number;
}

/**
 * A client of the registry at `url` (the Confluent-compatible base URL, SCHEMA_REGISTRY_URL).
 * It does not retry by itself: callers retry transient failures with backoff and report them.
 */
export function createSchemaRegistry(url: string, o: SchemaRegistryOptions = {}): SchemaRegistry {
  const timeoutMs = o.timeoutMs ?? 5_000;
  return new SchemaRegistry(
    {
      host: url,
      clientId: 'clickstream',
      retry: { retries: 0 },
      // mappersmith's per-request timeout (ms): a registry that accepts and never answers is away.
      middlewares: [
        () => ({ prepareRequest: (next) => next().then((r) => r.enhance({ timeout: timeoutMs })) }),
      ],
    },
    { [SchemaType.AVRO]: avroTypeOptions() },
  );
}

export type RegistryErrorKind = 'unknown_schema' | 'transient' | 'bug';

interface ResponseErrorLike {
  name?: unknown;
  status?: unknown;
  message?: unknown;
}

/**
 * mappersmith (under the client) reports a failed connection as a 400 "response" whose message is
 * the socket error's or its timeout's; a real 400 from the registry has a JSON message instead.
 */
const UNREACHABLE =
  /\b(ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|EPIPE|socket hang up)\b|Timeout \(\d+ms\)/i;

/** What a registry client error means for the message waiting on it. */
export function registryErrorKind(error: unknown): RegistryErrorKind {
  if (!error || typeof error !== 'object') return 'bug';
  const e = error as ResponseErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === 404) return 'unknown_schema';
  if (status !== undefined && (status >= 500 || status === 408 || status === 429)) {
    return 'transient';
  }
  // The socket error itself, or one it wraps (fetch's TypeError holds it as its cause).
  for (let cause: unknown = error, depth = 0; cause && depth < 5; depth++) {
    const c = cause as { message?: unknown; code?: unknown; cause?: unknown };
    if (typeof c.message === 'string' && UNREACHABLE.test(c.message)) return 'transient';
    if (typeof c.code === 'string' && UNREACHABLE.test(c.code)) return 'transient';
    if (c.code === 'UND_ERR_CONNECT_TIMEOUT' || c.code === 'UND_ERR_SOCKET') return 'transient';
    if ((c as { name?: unknown }).name === 'TimeoutError') return 'transient';
    cause = c.cause;
  }
  return 'bug';
}

// Our schemas in the registry, on worker start: under TopicNameStrategy subjects
// (`<topic>-value`), the first version of each (click v1, checkout v1) is registered when the
// subject has none, and the subject's compatibility is set to SCHEMA_COMPATIBILITY. Idempotent:
// a subject that already has versions (v2 registered by a producer, say) is never given v1 again,
// and setting the same compatibility twice changes nothing. While the registry is unreachable it
// retries with backoff; any other refusal is thrown (a bug or a misconfigured registry).
import pRetry, { AbortError } from 'p-retry';
import type { Config } from '../config.ts';
import { CHECKOUT_V1_SCHEMA, CLICK_V1_SCHEMA } from '../domain/wire-records.generated.ts';
import { registryErrorKind } from './schema-registry.ts';

export type Compatibility = Config['SCHEMA_COMPATIBILITY'];

/** The subject of a topic's values (Confluent's TopicNameStrategy). */
export const valueSubject = (topic: string): string => `${topic}-value`;

/** A refusal of the registry's REST API: its HTTP status and message. */
export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: number,
  ) {
    super(message);
    this.name = 'RegistryHttpError';
  }
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** One call of the registry's REST API; a non-2xx answer is a RegistryHttpError. */
export async function registryRequest<T>(
  url: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  timeoutMs = 5_000,
): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      Accept: CONTENT_TYPE,
      ...(body === undefined ? {} : { 'Content-Type': CONTENT_TYPE }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    let errorCode: number | undefined;
    try {
      const parsed = JSON.parse(text) as { message?: unknown; error_code?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
      if (typeof parsed.error_code === 'number') errorCode = parsed.error_code;
    } catch {
      // Not JSON: the text is the message.
    }
    throw new RegistryHttpError(
      response.status,
      `${method} ${path}: ${response.status} ${message}`,
      errorCode,
    );
  }
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** The versions of a subject; none (404) when it does not exist. */
export async function subjectVersions(url: string, subject: string): Promise<number[]> {
  try {
    return await registryRequest<number[]>(
      url,
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions`,
    );
  } catch (error) {
    if (error instanceof RegistryHttpError && error.status === 404) return [];
    throw error;
  }
}

export interface SubjectRegistration {
  subject: string;
  /** The id of the version registered now; undefined when the subject had versions already. */
  registeredId?: number;
  compatibility: Compatibility;
}

/** Registers `schema` as the first version of `subject` if it has none; sets its compatibility. */
export async function registerFirstVersion(
  url: string,
  subject: string,
  schema: string,
  compatibility: Compatibility,
): Promise<SubjectRegistration> {
  const path = encodeURIComponent(subject);
  let registeredId: number | undefined;
  if ((await subjectVersions(url, subject)).length === 0) {
    const { id } = await registryRequest<{ id: number }>(
      url,
      'POST',
      `/subjects/${path}/versions`,
      {
        schema,
      },
    );
    registeredId = id;
  }
  await registryRequest(url, 'PUT', `/config/${path}`, { compatibility });
  return { subject, registeredId, compatibility };
}

export interface RegistrationOptions {
  topics: { clicks: string; checkouts: string };
  compatibility: Compatibility;
  signal?: AbortSignal;
  /** Each failed attempt while the registry is unreachable (it is retried). */
  onTransient?: (description: string, attempt: number) => void;
}

/** Registers click v1 and checkout v1 under their topics' subjects (see the file's comment). */
export async function registerWireSchemas(
  url: string,
  o: RegistrationOptions,
): Promise<SubjectRegistration[]> {
  const wanted: [string, string][] = [
    [valueSubject(o.topics.clicks), CLICK_V1_SCHEMA],
    [valueSubject(o.topics.checkouts), CHECKOUT_V1_SCHEMA],
  ];
  const done: SubjectRegistration[] = [];
  for (const [subject, schema] of wanted) {
    done.push(
      await pRetry(
        async () => {
          try {
            return await registerFirstVersion(url, subject, schema, o.compatibility);
          } catch (error) {
            if (registryErrorKind(error) !== 'transient') throw new AbortError(error as Error);
            throw error;
          }
        },
        {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: 200,
          maxTimeout: 5_000,
          signal: o.signal,
          onFailedAttempt: ({ error, attemptNumber }) =>
            o.onTransient?.(`register ${subject}: ${error.message}`, attemptNumber),
        },
      ),
    );
  }
  return done;
}

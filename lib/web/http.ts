// Small helpers every API route uses, so they all answer alike: JSON errors `{ error }`, 400 for
// input that fails its schema, 401/403/429/503 from the auth check, 413 for bodies over the
// limit, state-changing requests that must be JSON (a cross-site HTML form cannot send that
// without a CORS preflight), and failures logged here with a request id while the client gets a
// generic message naming that id (database errors and paths stay on the server).
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { logger, type Logger } from '../log.ts';
import { HOW_TO_SIGN_IN, authenticate, type AuthOutcome } from './auth.ts';
import { REQUEST_ID } from './gateway.ts';
import { formatIssues, searchParamsObject } from './schemas.ts';
import { getWebRuntime } from './web-runtime.ts';

/** The largest JSON body any route accepts (server.ts refuses larger ones before Next reads them). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

export function jsonError(status: number, error: string, headers?: HeadersInit): Response {
  return Response.json({ error }, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  return Response.json(body, {
    ...init,
    headers: { 'cache-control': 'no-store', ...init.headers },
  });
}

/**
 * A failure the client cannot fix: logged with the request id and the real error, answered with
 * `what` and the id only.
 */
export function serverError(
  request: Request,
  what: string,
  error: unknown,
  status: 500 | 502 | 503 = 502,
  log: Logger = logger('web'),
): Response {
  const requestId = request.headers.get(REQUEST_ID) ?? randomUUID();
  log.error(
    { err: error, requestId, method: request.method, path: new URL(request.url).pathname },
    what,
  );
  return Response.json(
    { error: `${what} (request ${requestId}; the server log has the details).`, requestId },
    { status, headers: { 'cache-control': 'no-store', [REQUEST_ID]: requestId } },
  );
}

type Parsed<T> = { ok: true; data: T } | { ok: false; response: Response };

/** Parses the query string with `schema`, or a 400 answer naming what is wrong. */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): Parsed<z.output<S>> {
  const result = schema.safeParse(searchParamsObject(new URL(request.url).searchParams));
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, response: jsonError(400, `Bad query: ${formatIssues(result.error)}`) };
}

/** The body as text, or null once it passes `maxBytes` (the rest is not read). */
const CUT_SHORT = Symbol('the body was cut short');

async function readLimited(
  request: Request,
  maxBytes: number,
): Promise<string | null | typeof CUT_SHORT> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    // A client that goes away mid-body (ECONNRESET, "aborted") is answered as a cut-short body,
    // not thrown out of the route: Next would log each one as an unhandled error.
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      return CUT_SHORT;
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON body (an empty body counts as `{}`) with `schema`, or a 400/413 answer. */
export async function parseJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<Parsed<z.output<S>>> {
  const type = request.headers.get('content-type') ?? '';
  const text = await readLimited(request, MAX_JSON_BODY_BYTES);
  if (text === CUT_SHORT) {
    return { ok: false, response: jsonError(400, 'The request body was cut short.') };
  }
  if (text === null) {
    return {
      ok: false,
      response: jsonError(413, `The request body is larger than ${MAX_JSON_BODY_BYTES} bytes.`),
    };
  }
  if (text.trim() !== '' && !/^application\/json\b/i.test(type)) {
    return {
      ok: false,
      response: jsonError(400, 'Send the body as JSON with Content-Type: application/json.'),
    };
  }
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, response: jsonError(400, 'The body is not valid JSON.') };
    }
  }
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, response: jsonError(400, `Bad request: ${formatIssues(result.error)}`) };
}

/** The answer to a refused request. */
export function refusal(outcome: Extract<AuthOutcome, { kind: 'refused' }>): Response {
  return jsonError(outcome.status, outcome.error, {
    ...(outcome.status === 401 ? { 'www-authenticate': 'Bearer realm="clickstream"' } : {}),
    ...(outcome.retryAfterSec ? { 'retry-after': String(outcome.retryAfterSec) } : {}),
  });
}

/** Null when the request may change state, else the 401/403/429/503 answer to send. */
export async function requireAdmin(request: Request): Promise<Response | null> {
  const outcome = await authenticate(request.headers, getWebRuntime().authDeps(), {
    stateChange: true,
  });
  if (outcome.kind === 'admin') return null;
  if (outcome.kind === 'refused') return refusal(outcome);
  return jsonError(401, `Sign-in required. ${HOW_TO_SIGN_IN}`);
}

/** Who reads: the operator (sees personal data) or anyone; or the answer to wrong credentials. */
export async function readerOf(
  request: Request,
): Promise<{ ok: true; signedIn: boolean } | { ok: false; response: Response }> {
  const outcome = await authenticate(request.headers, getWebRuntime().authDeps(), {
    stateChange: false,
  });
  if (outcome.kind === 'refused') return { ok: false, response: refusal(outcome) };
  return { ok: true, signedIn: outcome.kind === 'admin' };
}

/** Whether the request came over HTTPS (directly or via a proxy that says so): cookies get Secure. */
export function isHttps(request: Request): boolean {
  return (
    new URL(request.url).protocol === 'https:' ||
    request.headers.get('x-forwarded-proto') === 'https'
  );
}

// Small helpers every API route uses, so they all answer alike: JSON errors `{ error }`, 400 for
// input that fails its schema, 401/403/503 from the admin check, and state-changing requests that
// must be JSON (a cross-site HTML form cannot send that without a CORS preflight).
import type { z } from 'zod';
import { authorize } from './auth';
import { formatIssues, searchParamsObject } from './schemas';

export function jsonError(status: number, error: string, headers?: HeadersInit): Response {
  return Response.json({ error }, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  return Response.json(body, {
    ...init,
    headers: { 'cache-control': 'no-store', ...init.headers },
  });
}

type Parsed<T> = { ok: true; data: T } | { ok: false; response: Response };

/** Parses the query string with `schema`, or a 400 answer naming what is wrong. */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): Parsed<z.output<S>> {
  const result = schema.safeParse(searchParamsObject(new URL(request.url).searchParams));
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, response: jsonError(400, `Bad query: ${formatIssues(result.error)}`) };
}

/** Parses a JSON body (an empty body counts as `{}`) with `schema`, or a 400 answer. */
export async function parseJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<Parsed<z.output<S>>> {
  const type = request.headers.get('content-type') ?? '';
  const text = await request.text();
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

/** Null when the request may change state, else the 401/403/503 answer to send. */
export function requireAdmin(request: Request, adminToken: string | undefined): Response | null {
  const outcome = authorize(request.headers, adminToken);
  if (outcome.ok) return null;
  return jsonError(
    outcome.status,
    outcome.error,
    outcome.status === 401 ? { 'www-authenticate': 'Bearer realm="clickstream"' } : undefined,
  );
}

/** Whether the request came over HTTPS (directly or via a proxy that says so): cookies get Secure. */
export function isHttps(request: Request): boolean {
  return (
    new URL(request.url).protocol === 'https:' ||
    request.headers.get('x-forwarded-proto') === 'https'
  );
}

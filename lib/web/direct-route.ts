// Answers a Node request with an app/api route handler called directly, without Next's request
// pipeline: server.ts does this for the few reads the dashboard asks every second or so. Next
// spends ~2.5 ms of CPU on each API request here (its router, tracing, the web-stream copy of the
// body, gzip), ten times what these handlers do themselves, and on two cores shared with the
// workers that CPU is the dashboard's latency. The handler is the route's own `GET`, so the route
// file stays the one definition of what the path answers (under `next dev` Next still serves it).
// The gateway (gateway.ts) has already admitted the request and set the security headers.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An app/api route's handler, as Next calls it (these take only the request). */
export type RouteHandler = (request: Request) => Promise<Response>;

/** The web Request a route handler expects: the URL as Next builds it (Host header), same headers. */
export function webRequestOf(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
  });
}

/**
 * Calls `handler` and writes its Response in one go (headers and body together, with a length:
 * these answers are small JSON, sent uncompressed).
 */
export async function answerDirectly(
  req: IncomingMessage,
  res: ServerResponse,
  handler: RouteHandler,
): Promise<void> {
  const response = await handler(webRequestOf(req));
  const body = Buffer.from(await response.arrayBuffer());
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.setHeader('content-length', body.byteLength);
  res.end(body);
}

/** The path of a request target without its query (`/api/checkouts?limit=5` → `/api/checkouts`). */
export function pathOf(target: string | undefined): string {
  const path = target ?? '/';
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}

/**
 * The handler of `routes` (exact paths) that answers this request directly, or undefined when
 * Next serves it: GETs only (HEAD, OPTIONS and changes keep Next's handling), any query.
 */
export function directHandlerFor(
  routes: ReadonlyMap<string, RouteHandler>,
  method: string | undefined,
  target: string | undefined,
): RouteHandler | undefined {
  return method === 'GET' ? routes.get(pathOf(target)) : undefined;
}

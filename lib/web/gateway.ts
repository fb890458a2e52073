// The web server's front door (server.ts calls it before Next sees a request): a request id, the
// security headers and this response's CSP nonce, the Host allow-list (DNS rebinding), the
// client's address from the socket (stamped for the routes, replacing any header a client sent),
// cross-site state changes refused, bodies refused before they are read when they are too big or
// of unknown length, and, with PUBLIC_DASHBOARD=false, sign-in required for everything but the
// sign-in page. What passes is handed to Next; what does not is answered here.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLIENT_ADDRESS_HEADER, type AuthOutcome, type RequestHeaders } from './auth.ts';
import {
  bodyVerdict,
  clientAddress,
  hostAllowed,
  hostnameOf,
  originMatchesHost,
} from './request-guards.ts';
import { BASE_SECURITY_HEADERS, appCsp, dbtDocsCsp, newNonce } from './security-headers.ts';

/** Header stamped with the request's id (any value a client sent is replaced), and sent back. */
export const REQUEST_ID = 'x-request-id';

export interface GatewayOptions {
  allowedHosts: string[];
  trustedProxies: string[];
  publicDashboard: boolean;
  maxBodyBytes: number;
  dev: boolean;
  /** Who sent the request (lib/web/auth.ts authenticate, bound to the runtime), for reads. */
  authenticate: (headers: RequestHeaders) => Promise<AuthOutcome>;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Paths anyone may reach even when the dashboard is closed: signing in, and what it needs. */
export function isAlwaysOpen(pathname: string): boolean {
  return (
    pathname === '/signin' ||
    pathname === '/favicon.ico' ||
    pathname === '/api/health' ||
    pathname.startsWith('/api/auth/login') ||
    pathname.startsWith('/api/auth/logout') ||
    pathname === '/api/auth/session' ||
    // Next's compiled bundles: public code, no data.
    pathname.startsWith('/_next/')
  );
}

/** A node request's headers as `authenticate` reads them. */
export function headerGetter(req: IncomingMessage): RequestHeaders {
  return {
    get: (name) => {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function answer(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Stamps what the routes need and sets every response's security headers. */
function prepare(req: IncomingMessage, res: ServerResponse, o: GatewayOptions): URL {
  const requestId = randomUUID();
  req.headers[REQUEST_ID] = requestId;
  res.setHeader(REQUEST_ID, requestId);
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) res.setHeader(name, value);
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(
    req.socket.remoteAddress,
    req.headers['x-forwarded-for'],
    o.trustedProxies,
  );
  const url = new URL(req.url ?? '/', 'http://server');
  if (url.pathname === '/dbt-docs' || url.pathname.startsWith('/dbt-docs/')) {
    res.setHeader('content-security-policy', dbtDocsCsp());
    delete req.headers['content-security-policy'];
  } else {
    const csp = appCsp(newNonce(), o.dev);
    res.setHeader('content-security-policy', csp);
    // Next takes the nonce for its own scripts from the request's policy header.
    req.headers['content-security-policy'] = csp;
  }
  delete req.headers['content-security-policy-report-only'];
  return url;
}

/** Whether every %XX escape of `pathname` is complete and the bytes they make are UTF-8. */
export function percentEscapesDecode(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks one request. Resolves true when Next should handle it, false when it was answered here.
 */
export async function admit(
  req: IncomingMessage,
  res: ServerResponse,
  o: GatewayOptions,
): Promise<boolean> {
  const url = prepare(req, res, o);
  const host = req.headers.host;
  if (!hostAllowed(host, o.allowedHosts)) {
    answer(res, 421, {
      error: `This server does not answer to the host name "${hostnameOf(host) ?? ''}": add it to ALLOWED_HOSTS if it is yours.`,
    });
    return false;
  }
  if (!percentEscapesDecode(url.pathname)) {
    // Next would fail decoding the route's parameters: an empty 500, with nothing logged.
    answer(res, 400, { error: 'The path has a malformed percent-escape (not UTF-8).' });
    return false;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  if (STATE_CHANGING.has(method)) {
    const origin = req.headers.origin;
    if (origin !== undefined && !originMatchesHost(origin, host ?? null)) {
      answer(res, 403, { error: 'Cross-site request refused.' });
      return false;
    }
    const verdict = bodyVerdict(req.headers, o.maxBodyBytes);
    if (!verdict.ok) {
      // Answered before any of the body is read; Node drops what follows unread, or closes the
      // connection when much more is coming.
      answer(res, verdict.status, { error: verdict.error });
      return false;
    }
  }
  if (!o.publicDashboard && !isAlwaysOpen(url.pathname)) {
    const outcome = await o.authenticate(headerGetter(req));
    if (outcome.kind === 'refused') {
      answer(res, outcome.status, { error: outcome.error });
      return false;
    }
    if (outcome.kind === 'anonymous') {
      if (url.pathname.startsWith('/api/')) {
        answer(res, 401, { error: 'Sign in first: this dashboard is not public.' });
      } else {
        const next = `${url.pathname}${url.search}`;
        res.writeHead(303, {
          location: `/signin?next=${encodeURIComponent(next)}`,
          'cache-control': 'no-store',
        });
        res.end();
      }
      return false;
    }
  }
  return true;
}

/**
 * Whether a socket.io handshake (polling or websocket) may go on: a Host this server answers to,
 * and no Origin but this server's. Browsers always send Origin on these requests, so a page
 * elsewhere is refused; a script without one sees what an anonymous page would.
 */
export function socketHandshakeAllowed(req: IncomingMessage, allowedHosts: string[]): boolean {
  const host = req.headers.host;
  if (!hostAllowed(host, allowedHosts)) return false;
  const origin = req.headers.origin;
  return origin === undefined || originMatchesHost(origin, host ?? null);
}

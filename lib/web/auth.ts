// Who is asking: the operator, presenting ADMIN_TOKEN as `Authorization: Bearer <token>` or
// through a server-side session (the cookie POST /api/auth/login sets), or an anonymous reader.
// Tokens are compared in constant time; wrong tokens count against the client that sent them
// (SignInThrottle), whichever route they hit, so no route is an unthrottled token oracle. A
// session cookie changes state only with an Origin naming this server. Without ADMIN_TOKEN
// nothing can be changed (503).
import { createHash, scryptSync, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { originMatchesHost, throttleKey } from './request-guards.ts';

export const SESSION_COOKIE = 'clickstream_session';

/** Header server.ts stamps with the client's address (any value a client sent is replaced). */
export const CLIENT_ADDRESS_HEADER = 'x-clickstream-client';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether `candidate` equals `token`, in time independent of where they differ (or their lengths). */
export function tokenMatches(candidate: string, token: string): boolean {
  return timingSafeEqual(digest(candidate), digest(token));
}

/**
 * What sessions remember of the token they were made under: a slow hash (scrypt), so the
 * sessions table never helps anyone guess the token. A new token ends every older session.
 */
export function tokenEpoch(token: string): string {
  return scryptSync(token, 'clickstream-web-session-epoch', 16, { N: 16_384 }).toString('hex');
}

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Set-Cookie for a session: httpOnly, SameSite=Strict (a cross-site request never carries it). */
export function sessionCookie(value: string, secure: boolean, maxAgeMs: number): string {
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(value)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', secure, 0);
}

export const HOW_TO_SIGN_IN =
  'Sign in at /signin with the admin token (printed by `npm run demo`, and ADMIN_TOKEN in .env.local), or send `Authorization: Bearer <token>`.';

export const NO_TOKEN_CONFIGURED =
  'ADMIN_TOKEN is not set, so nothing can be changed: set ADMIN_TOKEN (at least 16 characters) in .env.local or the environment and restart the web server.';

/**
 * Failed token attempts per client (IPv4 address or IPv6 /64) in a sliding window. Keyed by the
 * socket's address (server.ts), never by a header a client writes, so a stranger can only lock
 * out themselves: the operator on another address is unaffected. Bounded: at most `maxClients`
 * clients are remembered (the least recently seen are forgotten first).
 */
export class SignInThrottle {
  private readonly failures: LRUCache<string, number[]>;

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 60_000,
    maxClients = 50_000,
  ) {
    this.failures = new LRUCache({ max: maxClients });
  }

  private recent(client: string, now: number): number[] {
    const kept = (this.failures.get(throttleKey(client)) ?? []).filter(
      (t) => t > now - this.windowMs,
    );
    return kept;
  }

  /** Seconds until `client` may try again; 0 when it may now. */
  retryAfterSec(client: string, now = Date.now()): number {
    const recent = this.recent(client, now);
    if (recent.length < this.maxFailures) return 0;
    const oldestCounted = recent[recent.length - this.maxFailures]!;
    return Math.max(1, Math.ceil((oldestCounted + this.windowMs - now) / 1000));
  }

  blocked(client: string, now = Date.now()): boolean {
    return this.retryAfterSec(client, now) > 0;
  }

  fail(client: string, now = Date.now()): void {
    const recent = this.recent(client, now);
    recent.push(now);
    this.failures.set(throttleKey(client), recent.slice(-this.maxFailures));
  }

  /** A right token: the client's earlier failures no longer count. */
  succeed(client: string): void {
    this.failures.delete(throttleKey(client));
  }
}

/** A valid session as the auth check sees it. */
export interface SessionRef {
  id: string;
}

export interface AuthDeps {
  adminToken: string | undefined;
  throttle: SignInThrottle;
  /** The unexpired session of this cookie secret under the current token, or null. */
  findSession: (secret: string) => Promise<SessionRef | null>;
  now?: number;
}

export interface RequestHeaders {
  get(name: string): string | null;
}

export type AuthOutcome =
  | { kind: 'admin'; via: 'bearer' }
  | { kind: 'admin'; via: 'session'; session: SessionRef }
  | { kind: 'anonymous' }
  | { kind: 'refused'; status: 401 | 403 | 429 | 503; error: string; retryAfterSec?: number };

/** A cookie secret this server could have issued: 32 random bytes, base64url. */
export const isSessionSecret = (value: string) => /^[A-Za-z0-9_-]{43}$/.test(value);

/**
 * Who sent `headers`. For a state change (`stateChange`), anyone but the operator is refused;
 * for a read, a request without credentials is an anonymous reader. Credentials that are
 * present but wrong are refused either way, and counted against the client.
 */
export async function authenticate(
  headers: RequestHeaders,
  deps: AuthDeps,
  { stateChange }: { stateChange: boolean },
): Promise<AuthOutcome> {
  const now = deps.now ?? Date.now();
  const client = headers.get(CLIENT_ADDRESS_HEADER) ?? 'unknown';
  if (!deps.adminToken) {
    return stateChange
      ? { kind: 'refused', status: 503, error: NO_TOKEN_CONFIGURED }
      : { kind: 'anonymous' };
  }
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const retryAfterSec = deps.throttle.retryAfterSec(client, now);
    if (retryAfterSec > 0) {
      return {
        kind: 'refused',
        status: 429,
        error: `Too many wrong tokens from this address: try again in ${retryAfterSec} s.`,
        retryAfterSec,
      };
    }
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match && tokenMatches(match[1]!, deps.adminToken)) return { kind: 'admin', via: 'bearer' };
    deps.throttle.fail(client, now);
    return {
      kind: 'refused',
      status: 401,
      error: `The bearer token is not the admin token. ${HOW_TO_SIGN_IN}`,
    };
  }
  const secret = readCookie(headers.get('cookie'), SESSION_COOKIE);
  const session = secret && isSessionSecret(secret) ? await deps.findSession(secret) : null;
  if (session) {
    if (stateChange && !originMatchesHost(headers.get('origin'), headers.get('host'))) {
      return {
        kind: 'refused',
        status: 403,
        error: 'Cross-site request refused: a signed-in change must come from this site’s pages.',
      };
    }
    return { kind: 'admin', via: 'session', session };
  }
  if (!stateChange) return { kind: 'anonymous' };
  return { kind: 'refused', status: 401, error: `Sign-in required. ${HOW_TO_SIGN_IN}` };
}

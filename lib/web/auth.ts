// Who may change state: a caller presenting ADMIN_TOKEN, as `Authorization: Bearer <token>` or as
// the signed session cookie POST /api/auth/login sets. Tokens are compared in constant time
// (through fixed-length digests); sessions are stateless HMACs keyed by the token, so changing
// ADMIN_TOKEN signs everyone out. Without ADMIN_TOKEN nothing can be changed (503).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'clickstream_session';
export const SESSION_TTL_MS = 12 * 3_600_000;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether `candidate` equals `token`, in time independent of where they differ (or their lengths). */
export function tokenMatches(candidate: string, token: string): boolean {
  return timingSafeEqual(digest(candidate), digest(token));
}

function sign(payload: string, token: string): string {
  return createHmac('sha256', token).update(`clickstream-session.${payload}`).digest('base64url');
}

/** A session value valid until `now + ttl`: `<expires>.<nonce>.<hmac>`. */
export function createSession(token: string, now = Date.now(), ttlMs = SESSION_TTL_MS): string {
  const payload = `${now + ttlMs}.${randomBytes(12).toString('base64url')}`;
  return `${payload}.${sign(payload, token)}`;
}

/** Whether `value` is an unexpired session signed with `token`. */
export function sessionValid(value: string, token: string, now = Date.now()): boolean {
  const parts = value.split('.');
  if (parts.length !== 3) return false;
  const [expires, nonce, mac] = parts as [string, string, string];
  if (!/^\d{1,15}$/.test(expires) || Number(expires) <= now || nonce.length === 0) return false;
  const expected = Buffer.from(sign(`${expires}.${nonce}`, token));
  const given = Buffer.from(mac);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | null, name: string): string | undefined {
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
export function sessionCookie(value: string, secure: boolean, maxAgeMs = SESSION_TTL_MS): string {
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

export type AuthOutcome =
  { ok: true; via: 'bearer' | 'session' } | { ok: false; status: 401 | 403 | 503; error: string };

export const HOW_TO_SIGN_IN =
  'Sign in at /signin with the admin token (printed by `npm run demo`, and ADMIN_TOKEN in .env.local), or send `Authorization: Bearer <token>`.';

/**
 * Decides whether a request may change state. A session cookie alone is accepted only when the
 * request's Origin (if the browser sent one) is this server, as a second guard against
 * cross-site requests next to SameSite.
 */
export function authorize(
  headers: { get(name: string): string | null },
  adminToken: string | undefined,
  now = Date.now(),
): AuthOutcome {
  if (!adminToken) {
    return {
      ok: false,
      status: 503,
      error:
        'ADMIN_TOKEN is not set, so nothing can be changed: set ADMIN_TOKEN (at least 16 characters) in .env.local or the environment and restart the web server.',
    };
  }
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match && tokenMatches(match[1]!, adminToken)) return { ok: true, via: 'bearer' };
    return {
      ok: false,
      status: 401,
      error: `The bearer token is not the admin token. ${HOW_TO_SIGN_IN}`,
    };
  }
  const session = readCookie(headers.get('cookie'), SESSION_COOKIE);
  if (session && sessionValid(session, adminToken, now)) {
    const origin = headers.get('origin');
    const host = headers.get('host');
    if (origin !== null && host !== null && safeHost(origin) !== host) {
      return { ok: false, status: 403, error: 'Cross-site request refused.' };
    }
    return { ok: true, via: 'session' };
  }
  return { ok: false, status: 401, error: `Sign-in required. ${HOW_TO_SIGN_IN}` };
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Counts failed sign-ins in a sliding minute, for every caller together (a per-address count
 * would trust X-Forwarded-For). The generated token has 144 bits, so this does not make guessing
 * hopeless, it keeps a script from hammering the endpoint; bearer calls are not throttled.
 */
export class SignInThrottle {
  private failures: number[] = [];

  constructor(
    private readonly maxFailures = 20,
    private readonly windowMs = 60_000,
  ) {}

  blocked(now = Date.now()): boolean {
    this.failures = this.failures.filter((t) => t > now - this.windowMs);
    return this.failures.length >= this.maxFailures;
  }

  fail(now = Date.now()): void {
    this.failures.push(now);
  }
}

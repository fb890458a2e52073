import { describe, expect, it } from 'vitest';
import {
  SESSION_COOKIE,
  SignInThrottle,
  authorize,
  createSession,
  readCookie,
  sessionCookie,
  sessionValid,
  tokenMatches,
} from './auth';

const TOKEN = 'a-test-admin-token-0123456789';
const headers = (h: Record<string, string>) => new Headers(h);

describe('tokenMatches', () => {
  it.each([
    [TOKEN, true],
    [`${TOKEN}x`, false],
    [TOKEN.slice(0, -1), false],
    ['', false],
    [TOKEN.toUpperCase(), false],
  ])('%j → %s', (candidate, expected) => {
    expect(tokenMatches(candidate, TOKEN)).toBe(expected);
  });
});

describe('sessions', () => {
  const now = 1_800_000_000_000;

  it('accepts its own session until it expires', () => {
    const session = createSession(TOKEN, now, 1_000);
    expect(sessionValid(session, TOKEN, now)).toBe(true);
    expect(sessionValid(session, TOKEN, now + 999)).toBe(true);
    expect(sessionValid(session, TOKEN, now + 1_000)).toBe(false);
  });

  it('refuses a session signed with another token (changing ADMIN_TOKEN signs everyone out)', () => {
    expect(sessionValid(createSession(TOKEN, now), 'another-token-0123456789', now)).toBe(false);
  });

  it('refuses tampered and malformed values', () => {
    const session = createSession(TOKEN, now);
    const [expires, nonce, mac] = session.split('.') as [string, string, string];
    expect(sessionValid(`${Number(expires) + 10_000_000}.${nonce}.${mac}`, TOKEN, now)).toBe(false);
    expect(sessionValid(`${expires}.other.${mac}`, TOKEN, now)).toBe(false);
    expect(sessionValid(`${expires}.${nonce}.${mac.slice(1)}`, TOKEN, now)).toBe(false);
    for (const bad of ['', 'a.b', 'x.y.z', `${expires}..${mac}`, `${session}.extra`]) {
      expect(sessionValid(bad, TOKEN, now)).toBe(false);
    }
  });

  it('sets an httpOnly, SameSite=Strict cookie, Secure only over HTTPS', () => {
    const plain = sessionCookie('v', false);
    expect(plain).toContain(`${SESSION_COOKIE}=v`);
    expect(plain).toContain('HttpOnly');
    expect(plain).toContain('SameSite=Strict');
    expect(plain).not.toContain('Secure');
    expect(sessionCookie('v', true)).toContain('Secure');
  });

  it('reads a cookie among others', () => {
    expect(readCookie('a=1; clickstream_session=x.y.z; b=2', SESSION_COOKIE)).toBe('x.y.z');
    expect(readCookie('a=1', SESSION_COOKIE)).toBeUndefined();
    expect(readCookie(null, SESSION_COOKIE)).toBeUndefined();
  });
});

describe('authorize', () => {
  const now = 1_800_000_000_000;
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(createSession(TOKEN, now))}`;

  it('refuses everything with 503 when no token is configured', () => {
    const outcome = authorize(headers({ authorization: `Bearer ${TOKEN}` }), undefined, now);
    expect(outcome).toMatchObject({ ok: false, status: 503 });
    expect(outcome.ok || outcome.error).toContain('set ADMIN_TOKEN');
  });

  it('accepts the bearer token and a valid session cookie', () => {
    expect(authorize(headers({ authorization: `Bearer ${TOKEN}` }), TOKEN, now)).toEqual({
      ok: true,
      via: 'bearer',
    });
    expect(authorize(headers({ cookie }), TOKEN, now)).toEqual({ ok: true, via: 'session' });
  });

  it('answers 401 with how to sign in otherwise', () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { authorization: TOKEN },
      { cookie: 'clickstream_session=bad' },
    ];
    for (const h of cases) {
      const outcome = authorize(headers(h), TOKEN, now);
      expect(outcome).toMatchObject({ ok: false, status: 401 });
      expect(outcome.ok || outcome.error).toContain('/signin');
    }
  });

  it('a wrong bearer token is not rescued by a valid cookie', () => {
    expect(authorize(headers({ authorization: 'Bearer nope', cookie }), TOKEN, now)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it('refuses a session cookie sent from another origin', () => {
    const crossSite = headers({ cookie, origin: 'https://evil.example', host: 'localhost:3000' });
    expect(authorize(crossSite, TOKEN, now)).toMatchObject({ ok: false, status: 403 });
    const sameSite = headers({ cookie, origin: 'http://localhost:3000', host: 'localhost:3000' });
    expect(authorize(sameSite, TOKEN, now)).toMatchObject({ ok: true });
  });
});

describe('SignInThrottle', () => {
  it('blocks after too many failures in the window, then lets go', () => {
    const throttle = new SignInThrottle(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(throttle.blocked(i)).toBe(false);
      throttle.fail(i);
    }
    expect(throttle.blocked(10)).toBe(true);
    expect(throttle.blocked(60_003)).toBe(false);
  });
});

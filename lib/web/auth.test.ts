// Who may do what, without a server: tokens compared exactly, wrong tokens throttled per client
// (a stranger never locks out another address), sessions only from their cookie and only with
// this site's Origin for changes, and cookies that say HttpOnly and SameSite=Strict.
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ADDRESS_HEADER,
  SESSION_COOKIE,
  SignInThrottle,
  authenticate,
  isSessionSecret,
  readCookie,
  sessionCookie,
  tokenEpoch,
  tokenMatches,
  type AuthDeps,
} from './auth.ts';

const TOKEN = 'a-test-admin-token-0123456789';
const SECRET = 'A'.repeat(43);
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

describe('cookies and token epochs', () => {
  it('sets an httpOnly, SameSite=Strict cookie, Secure only over HTTPS', () => {
    const plain = sessionCookie('v', false, 60_000);
    expect(plain).toContain(`${SESSION_COOKIE}=v`);
    expect(plain).toContain('HttpOnly');
    expect(plain).toContain('SameSite=Strict');
    expect(plain).toContain('Max-Age=60');
    expect(plain).not.toContain('Secure');
    expect(sessionCookie('v', true, 60_000)).toContain('Secure');
  });

  it('reads a cookie among others', () => {
    expect(readCookie(`a=1; ${SESSION_COOKIE}=${SECRET}; b=2`, SESSION_COOKIE)).toBe(SECRET);
    expect(readCookie('a=1', SESSION_COOKIE)).toBeUndefined();
    expect(readCookie(null, SESSION_COOKIE)).toBeUndefined();
  });

  it('accepts only secrets this server could have issued', () => {
    expect(isSessionSecret(SECRET)).toBe(true);
    for (const bad of ['', 'short', `${SECRET}A`, `${'A'.repeat(42)}.`, '99999999999999.abc.def'])
      expect(isSessionSecret(bad)).toBe(false);
  });

  it('derives a stable epoch per token that does not reveal it', () => {
    expect(tokenEpoch(TOKEN)).toBe(tokenEpoch(TOKEN));
    expect(tokenEpoch(TOKEN)).not.toBe(tokenEpoch(`${TOKEN}!`));
    expect(tokenEpoch(TOKEN)).not.toContain(TOKEN);
  });
});

describe('authenticate', () => {
  const deps = (over: Partial<AuthDeps> = {}): AuthDeps => ({
    adminToken: TOKEN,
    throttle: new SignInThrottle(3, 60_000),
    findSession: async (secret) => (secret === SECRET ? { id: 'session-1' } : null),
    now: 1_800_000_000_000,
    ...over,
  });
  const cookie = `${SESSION_COOKIE}=${SECRET}`;
  const change = { stateChange: true };
  const read = { stateChange: false };

  it('refuses changes with 503 when no token is configured; reads stay anonymous', async () => {
    const noToken = deps({ adminToken: undefined });
    const outcome = await authenticate(
      headers({ authorization: `Bearer ${TOKEN}` }),
      noToken,
      change,
    );
    expect(outcome).toMatchObject({ kind: 'refused', status: 503 });
    expect(await authenticate(headers({}), noToken, read)).toEqual({ kind: 'anonymous' });
  });

  it('accepts the bearer token, and a live session with this site as Origin', async () => {
    expect(
      await authenticate(headers({ authorization: `Bearer ${TOKEN}` }), deps(), change),
    ).toEqual({ kind: 'admin', via: 'bearer' });
    const sameSite = headers({ cookie, origin: 'http://localhost:3000', host: 'localhost:3000' });
    expect(await authenticate(sameSite, deps(), change)).toMatchObject({
      kind: 'admin',
      via: 'session',
      session: { id: 'session-1' },
    });
  });

  it('refuses a session change from another origin, or with no Origin at all', async () => {
    for (const h of [
      { cookie, origin: 'https://evil.example', host: 'localhost:3000' } as Record<string, string>,
      { cookie, origin: 'null', host: 'localhost:3000' },
      { cookie, host: 'localhost:3000' },
    ]) {
      expect(await authenticate(headers(h), deps(), change)).toMatchObject({
        kind: 'refused',
        status: 403,
      });
    }
    // Reading with the cookie needs no Origin (a page load sends none).
    expect(await authenticate(headers({ cookie }), deps(), read)).toMatchObject({ kind: 'admin' });
  });

  it('answers 401 with how to sign in otherwise', async () => {
    const cases: Record<string, string>[] = [
      {},
      { cookie: `${SESSION_COOKIE}=${'B'.repeat(43)}` },
      { cookie: 'x=1' },
    ];
    for (const h of cases) {
      const outcome = await authenticate(headers(h), deps(), change);
      expect(outcome).toMatchObject({ kind: 'refused', status: 401 });
      expect(outcome.kind === 'refused' && outcome.error).toContain('/signin');
      expect(await authenticate(headers(h), deps(), read)).toEqual({ kind: 'anonymous' });
    }
  });

  it('a wrong bearer token is refused even for reads, and not rescued by a valid cookie', async () => {
    expect(
      await authenticate(headers({ authorization: 'Bearer nope', cookie }), deps(), change),
    ).toMatchObject({ kind: 'refused', status: 401 });
    expect(await authenticate(headers({ authorization: TOKEN }), deps(), read)).toMatchObject({
      kind: 'refused',
      status: 401,
    });
  });

  it('throttles wrong tokens per client address, on reads too, and spares other clients', async () => {
    const shared = deps();
    const from = (address: string, token: string) =>
      headers({ authorization: `Bearer ${token}`, [CLIENT_ADDRESS_HEADER]: address });
    for (let i = 0; i < 3; i++) {
      expect(await authenticate(from('203.0.113.9', 'wrong'), shared, read)).toMatchObject({
        status: 401,
      });
    }
    // Blocked, even with the right token: a guesser learns nothing more.
    expect(await authenticate(from('203.0.113.9', TOKEN), shared, change)).toMatchObject({
      kind: 'refused',
      status: 429,
    });
    // The operator elsewhere is not locked out.
    expect(await authenticate(from('198.51.100.7', TOKEN), shared, change)).toMatchObject({
      kind: 'admin',
    });
  });
});

describe('SignInThrottle', () => {
  it('blocks a client after too many failures in the window, then lets go', () => {
    const throttle = new SignInThrottle(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(throttle.blocked('10.0.0.1', i)).toBe(false);
      throttle.fail('10.0.0.1', i);
    }
    expect(throttle.blocked('10.0.0.1', 10)).toBe(true);
    expect(throttle.retryAfterSec('10.0.0.1', 10)).toBe(60);
    expect(throttle.blocked('10.0.0.2', 10)).toBe(false);
    expect(throttle.blocked('10.0.0.1', 60_003)).toBe(false);
  });

  it('counts an IPv6 /64 as one client, and an IPv4-mapped address as its IPv4 address', () => {
    const throttle = new SignInThrottle(2, 60_000);
    throttle.fail('2001:db8:1:2::1', 0);
    throttle.fail('2001:db8:1:2:ffff::9', 1);
    expect(throttle.blocked('2001:db8:1:2::42', 2)).toBe(true);
    expect(throttle.blocked('2001:db8:1:3::1', 2)).toBe(false);
    throttle.fail('::ffff:192.0.2.1', 0);
    throttle.fail('192.0.2.1', 1);
    expect(throttle.blocked('192.0.2.1', 2)).toBe(true);
  });

  it('forgets a client once it signs in, and remembers a bounded number of clients', () => {
    const throttle = new SignInThrottle(1, 60_000, 2);
    throttle.fail('10.0.0.1', 0);
    throttle.succeed('10.0.0.1');
    expect(throttle.blocked('10.0.0.1', 1)).toBe(false);
    for (const a of ['10.0.0.2', '10.0.0.3', '10.0.0.4']) throttle.fail(a, 0);
    expect(throttle.blocked('10.0.0.2', 1)).toBe(false); // evicted: the map stays small
    expect(throttle.blocked('10.0.0.4', 1)).toBe(true);
  });
});

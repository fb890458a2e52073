// The security suite over plain HTTP, against the real production server of the e2e stack, tried
// as an attacker would: from another client address, from another site's Origin, with a Host name
// of their own, with huge bodies, with stolen cookies. Each test names the hole it keeps shut.
// Browser-side checks (a hostile page, CSP, the sign-in redirect) are in security-browser.spec.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../lib/config.ts';
import { E2E, e2eEnvironment } from './support/e2e-stack.ts';
import {
  PERSONAL,
  deletePersonalCheckout,
  insertPersonalCheckout,
  personalIn,
} from './support/personal-row.ts';
import {
  listeningAddresses,
  postOversized,
  rawRequest,
  websocketUpgrade,
  type RawRequest,
} from './support/raw-http.ts';

const PORT = E2E.webPort;
const SITE = `http://localhost:${PORT}`;
const bearer = { authorization: `Bearer ${E2E.adminToken}` };
const req = (r: Omit<RawRequest, 'port'>) => rawRequest({ port: PORT, ...r });

/** Signs in over the API and returns the session cookie (`name=value`). */
async function signIn(localAddress?: string): Promise<string> {
  const response = await req({
    path: '/api/auth/login',
    method: 'POST',
    body: JSON.stringify({ token: E2E.adminToken }),
    localAddress,
  });
  expect(response.status, response.body).toBe(200);
  const cookie = String(response.headers['set-cookie'] ?? '').split(';')[0]!;
  expect(cookie).toMatch(/^clickstream_session=/);
  return cookie;
}

const sessionOf = async (cookie: string) =>
  (
    JSON.parse((await req({ path: '/api/auth/session', headers: { cookie } })).body) as {
      signedIn: boolean;
    }
  ).signedIn;

/** Every route file under app/api that exports a state-changing handler, as a URL path. */
function stateChangingRoutes(): string[] {
  const root = path.resolve('app/api');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'route.ts') {
        const source = readFileSync(full, 'utf8');
        if (/export (async )?function (POST|PUT|PATCH|DELETE)\b/.test(source)) {
          const route = path
            .relative(path.resolve('app'), path.dirname(full))
            .replace(/\[\[?\.{0,3}([^\]]+)\]\]?/g, 'x');
          found.push(`/${route}`);
        }
      }
    }
  };
  walk(root);
  return found.sort();
}

test('every state-changing route refuses anonymous callers and cookie calls not from this site', async () => {
  const routes = stateChangingRoutes();
  // Sign-in is open by design (throttled); logout without a session has nothing to end.
  const guarded = routes.filter((r) => r !== '/api/auth/login' && r !== '/api/auth/logout');
  expect(guarded).toEqual(
    expect.arrayContaining(['/api/admin/lake/run', '/api/simulator/seed', '/api/simulator/start']),
  );
  const cookie = await signIn();
  for (const route of guarded) {
    const anonymous = await req({ path: route, method: 'POST', body: '{}' });
    expect(anonymous.status, `${route} anonymous`).toBe(401);
    const foreign = await req({
      path: route,
      method: 'POST',
      body: '{}',
      headers: { cookie, origin: 'http://evil.example' },
    });
    expect(foreign.status, `${route} with the cookie from another site`).toBe(403);
    const noOrigin = await req({ path: route, method: 'POST', body: '{}', headers: { cookie } });
    expect(noOrigin.status, `${route} with the cookie and no Origin`).toBe(403);
  }
  // Another site cannot sign the operator out either.
  const logout = await req({
    path: '/api/auth/logout',
    method: 'POST',
    body: '{}',
    headers: { cookie, origin: 'http://evil.example' },
  });
  expect(logout.status).toBe(403);
  const silentLogout = await req({
    path: '/api/auth/logout',
    method: 'POST',
    body: '{}',
    headers: { cookie },
  });
  expect(silentLogout.status).toBe(403);
  expect(await sessionOf(cookie)).toBe(true);
  // The session list's own change is among them.
  expect(guarded).toContain('/api/auth/sessions/revoke');
  // Nothing moved.
  const simulator = JSON.parse((await req({ path: '/api/simulator' })).body) as {
    live: { state: string };
  };
  expect(simulator.live.state).toBe('stopped');
});

test('a cookie copied before sign-out is refused after it, and "sign out everywhere" ends all', async () => {
  const cookie = await signIn();
  const copy = cookie;
  expect(await sessionOf(copy)).toBe(true);
  const out = await req({
    path: '/api/auth/logout',
    method: 'POST',
    body: '{}',
    headers: { cookie, origin: SITE },
  });
  expect(out.status).toBe(200);
  expect(await sessionOf(copy)).toBe(false);
  const replayed = await req({
    path: '/api/simulator/seed',
    method: 'POST',
    body: '{}',
    headers: { cookie: copy, origin: SITE },
  });
  expect(replayed.status).toBe(401);

  const [first, second] = [await signIn(), await signIn()];
  const listed = JSON.parse(
    (await req({ path: '/api/auth/sessions', headers: { cookie: first } })).body,
  ) as { sessions: { id: string; clientAddress: string }[] };
  expect(listed.sessions.length).toBeGreaterThanOrEqual(2);
  expect((await req({ path: '/api/auth/sessions' })).status).toBe(401);
  const everywhere = await req({
    path: '/api/auth/sessions/revoke',
    method: 'POST',
    body: JSON.stringify({ all: true }),
    headers: { cookie: first, origin: SITE },
  });
  expect(everywhere.status).toBe(200);
  expect(await sessionOf(first)).toBe(false);
  expect(await sessionOf(second)).toBe(false);
});

test('the sign-in throttle locks out the guessing address only, whatever headers it forges', async () => {
  const guesser = '127.0.0.2';
  const guess = (token: string, headers: Record<string, string> = {}) =>
    req({
      path: '/api/auth/login',
      method: 'POST',
      body: JSON.stringify({ token }),
      localAddress: guesser,
      headers,
    });
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await guess(`wrong-token-${i}-xxxxxxxx`)).status);
  expect(statuses.every((s) => s === 401)).toBe(true);
  const blocked = await guess('wrong-token-again-xxxx');
  expect(blocked.status).toBe(429);
  expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  // Claiming to be someone else does not help, nor does knowing the token now.
  expect(
    (await guess('wrong-token-xxxxxxxxxx', { 'x-forwarded-for': '198.51.100.1' })).status,
  ).toBe(429);
  expect((await guess('x', { 'x-clickstream-client': '198.51.100.2' })).status).toBe(429);
  expect((await guess(E2E.adminToken)).status).toBe(429);

  // The operator, on another address, signs in as usual.
  await signIn('127.0.0.1');
  const wrongHere = await req({
    path: '/api/auth/login',
    method: 'POST',
    body: JSON.stringify({ token: 'one-typo-of-the-operator' }),
  });
  expect(wrongHere.status).toBe(401);

  // A bearer token on any route counts the same: no unthrottled token oracle.
  const oracle = '127.0.0.3';
  const probes: number[] = [];
  for (let i = 0; i < 11; i++) {
    const probe = await req({
      path: '/api/auth/session',
      localAddress: oracle,
      headers: { authorization: `Bearer guess-${i}-xxxxxxxxxxxx` },
    });
    probes.push(probe.status);
  }
  expect(probes.slice(0, 10).every((s) => s === 401)).toBe(true);
  expect(probes[10]).toBe(429);
});

test('oversized and unsized bodies are refused before they are read; the server stays healthy', async () => {
  const huge = 200 * 1024 * 1024;
  const results = await Promise.all(
    ['/api/auth/login', '/api/simulator/start', '/api/auth/logout'].map((p) =>
      postOversized(PORT, p, huge),
    ),
  );
  // Each is answered after its first 64 KiB: the server did not wait for (or keep) the rest.
  for (const r of results) {
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: expect.stringContaining('larger than') });
  }
  const chunked = await req({
    path: '/api/auth/login',
    method: 'POST',
    headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' },
    body: undefined,
  });
  expect(chunked.status).toBe(411);
  expect((await req({ path: '/api/health' })).status).toBe(200);
  await signIn();
});

test('personal fields: absent for anonymous readers, present for the signed-in operator', async () => {
  const checkoutId = await insertPersonalCheckout();
  const sockets: Socket[] = [];
  try {
    const anonymousDetail = await req({ path: `/api/checkouts/${checkoutId}` });
    expect(anonymousDetail.status).toBe(200);
    expect(personalIn(anonymousDetail.body)).toEqual([]);
    expect(JSON.parse(anonymousDetail.body)).toMatchObject({
      personal: false,
      checkout: { checkoutId, clickId: `${checkoutId}-click`, shippingAddress: null },
    });
    const signedDetail = await req({ path: `/api/checkouts/${checkoutId}`, headers: bearer });
    expect(personalIn(signedDetail.body).sort()).toEqual(Object.keys(PERSONAL).sort());

    const anonymousList = await req({ path: '/api/checkouts?limit=200' });
    expect(anonymousList.body).toContain(checkoutId);
    expect(personalIn(anonymousList.body)).toEqual([]);
    const signedList = await req({ path: '/api/checkouts?limit=200', headers: bearer });
    expect(personalIn(signedList.body)).toEqual(expect.arrayContaining(['userId', 'userName']));
    expect((await req({ path: `/api/checkouts?user=${PERSONAL.userId}` })).status).toBe(401);

    const page = await req({ path: `/checkouts/${checkoutId}` });
    expect(page.status).toBe(200);
    expect(personalIn(page.body)).toEqual([]);
    expect(page.body).toContain('personal-hidden');

    expect((await req({ path: '/api/admin/dead-letters' })).status).toBe(401);
    expect((await req({ path: '/api/admin/dead-letters', headers: bearer })).status).toBe(200);

    // The live feed: a socket without a session gets figures, not rows; a signed-in one gets rows.
    const cookie = await signIn();
    const feedOf = (headers: Record<string, string>) =>
      new Promise<{ feed: { checkoutId: string }[]; feedHidden?: boolean }>((resolve) => {
        const socket = io(SITE, {
          transports: ['websocket'],
          extraHeaders: headers,
          forceNew: true,
        });
        sockets.push(socket);
        socket.on(
          'pipeline',
          (snapshot: { feed: { checkoutId: string }[]; feedHidden?: boolean }) => {
            if (snapshot.feedHidden || snapshot.feed.some((f) => f.checkoutId === checkoutId)) {
              resolve(snapshot);
            }
          },
        );
      });
    const [anonymousFeed, signedFeed] = await Promise.all([feedOf({}), feedOf({ cookie })]);
    expect(anonymousFeed.feed).toEqual([]);
    expect(anonymousFeed.feedHidden).toBe(true);
    expect(signedFeed.feed.map((f) => f.checkoutId)).toContain(checkoutId);
    expect(personalIn(JSON.stringify(signedFeed))).toContain('userName');

    const pipeline = JSON.parse((await req({ path: '/api/pipeline' })).body) as {
      snapshot: { feed: unknown[] } | null;
    };
    expect(pipeline.snapshot?.feed ?? []).toEqual([]);
  } finally {
    for (const socket of sockets) socket.disconnect();
    await deletePersonalCheckout(checkoutId);
  }
});

test('socket.io handshakes from another site are refused, on polling and websocket alike', async () => {
  const polling = (origin?: string) =>
    req({ path: '/socket.io/?EIO=4&transport=polling', headers: origin ? { origin } : {} });
  expect((await polling('http://evil.example')).status).toBe(403);
  expect((await polling('null')).status).toBe(403);
  expect((await polling(SITE)).status).toBe(200);
  expect(await websocketUpgrade(PORT, 'http://evil.example')).not.toBe(101);
  expect(await websocketUpgrade(PORT, `http://127.0.0.1:${PORT}`)).not.toBe(101);
  expect(await websocketUpgrade(PORT, SITE)).toBe(101);
});

test('host names the servers do not answer to are refused (DNS rebinding)', async () => {
  for (const host of [`rebind.evil.example:${PORT}`, 'evil.example']) {
    const response = await req({ path: '/api/health', headers: { host } });
    expect(response.status, host).toBe(421);
    const socket = await req({ path: '/socket.io/?EIO=4&transport=polling', headers: { host } });
    expect(socket.status, host).not.toBe(200);
  }
  const worker = E2E.workerMetricsPort;
  const rebound = await rawRequest({
    port: worker,
    path: '/stats',
    headers: { host: `rebind.evil.example:${worker}` },
  });
  expect(rebound.status).toBe(421);
  expect((await rawRequest({ port: worker, path: '/healthz' })).status).toBeLessThan(500);
});

test('odd but well-formed requests get a 4xx with a message, never a 5xx', async () => {
  const cookie = await signIn();
  const cursorWithNul = Buffer.from(JSON.stringify([0, 'a\u0000b'])).toString('base64url');
  // NUL (PostgreSQL text refuses it) in an id, a filter, a search or a page cursor.
  for (const path of [
    '/api/checkouts/%00',
    '/api/attribution/checkouts/%00',
    '/api/checkouts?product=a%00b',
    `/api/checkouts?after=${cursorWithNul}`,
    '/api/admin/dead-letters?q=%00%00%00',
    // Broken percent-escapes, or bytes that are not UTF-8, in a dynamic path segment.
    '/api/checkouts/%ff',
    '/api/checkouts/%ED%A0%80',
    '/api/admin/models/runs/%E0%A4%A',
    '/dbt-docs/%ff',
    '/checkouts/%',
  ]) {
    const response = await req({ path, headers: { cookie } });
    expect(response.status, `${path}: ${response.body}`).toBe(400);
    if (path.startsWith('/api/')) expect(JSON.parse(response.body), path).toHaveProperty('error');
  }
  expect((await req({ path: '/checkouts/%00', headers: { cookie } })).status).toBe(404);
  // Host headers no URL can be built from, on routes the server answers itself and on Next's.
  for (const host of ['127.0.0.1:99999', '[1.2.3.4]', '[::1]:70000']) {
    for (const path of ['/api/checkouts', '/api/pipeline', '/api/health']) {
      const response = await req({ path, headers: { host } });
      expect(response.status, `${host} ${path}: ${response.body}`).toBe(421);
    }
  }
});

test('the web server and the worker listen on loopback only (the real sockets)', async () => {
  for (const port of [PORT, E2E.workerMetricsPort]) {
    const addresses = listeningAddresses(port);
    expect(addresses.length, `nothing listens on ${port}`).toBeGreaterThan(0);
    for (const address of addresses) {
      expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'], `port ${port}`).toContain(address);
    }
  }
  // Through this machine's own network address, nobody answers.
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === 'IPv4')?.address;
  if (external) {
    for (const port of [PORT, E2E.workerMetricsPort]) {
      const attempt = await rawRequest({ port, path: '/', address: external }).then(
        () => 'answered',
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect(attempt, `${external}:${port}`).toBe('ECONNREFUSED');
    }
  }
});

test('answers carry the security headers; errors say nothing of the database or the disk', async () => {
  const page = await req({ path: '/' });
  const csp = String(page.headers['content-security-policy']);
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeDefined();
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain("'unsafe-eval'");
  expect(page.headers['x-content-type-options']).toBe('nosniff');
  expect(page.headers['x-frame-options']).toBe('DENY');
  expect(page.headers['referrer-policy']).toBe('no-referrer');
  const scripts = [...page.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  expect(String((await req({ path: '/dbt-docs' })).headers['content-security-policy'])).toMatch(
    /^sandbox allow-scripts/,
  );

  for (const query of [
    '/api/admin/dead-letters?before=9999999999999999999',
    '/api/admin/dead-letters?q=ab',
    `/api/checkouts?after=${Buffer.from('[8000000000000000,"x"]').toString('base64url')}`,
    '/api/checkouts?from=0000-01-01',
  ]) {
    const response = await req({ path: query, headers: bearer });
    expect(response.status, query).toBe(400);
  }
  const tables = await req({ path: '/api/admin/lake/tables' });
  expect(tables.status).toBe(200);
  expect(tables.body).not.toContain(process.cwd());
});

test.describe('PUBLIC_DASHBOARD=false', () => {
  // A second web server, on the same e2e database, started here: it needs a minute on a busy box.
  test.describe.configure({ timeout: 90_000 });
  const port = E2E.webPort + 1;
  let server: ChildProcess | undefined;

  test.beforeAll(async () => {
    const { DATABASE_URL, WEB_DATABASE_URL } = loadConfig();
    server = spawn('npx', ['tsx', 'server.ts'], {
      env: {
        ...process.env,
        ...e2eEnvironment(DATABASE_URL, WEB_DATABASE_URL),
        LAKE_URI: 'data/e2e/lake',
        PORT: String(port),
        PUBLIC_DASHBOARD: 'false',
      },
      stdio: 'ignore',
      detached: true,
    });
    await expect
      .poll(
        () =>
          rawRequest({ port, path: '/api/health' }).then(
            (r) => r.status,
            () => 0,
          ),
        {
          timeout: 60_000,
        },
      )
      .toBe(200);
  });

  test.afterAll(() => {
    if (server?.pid) process.kill(-server.pid, 'SIGTERM');
  });

  test('everything but signing in needs a session: pages, APIs and the live socket', async () => {
    const get = (p: string, headers: Record<string, string> = {}) =>
      rawRequest({ port, path: p, headers });
    const home = await get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/signin?next=%2F');
    for (const p of ['/api/pipeline', '/api/checkouts', '/api/admin/lake', '/api/simulator']) {
      expect((await get(p)).status, p).toBe(401);
    }
    expect((await get('/signin')).status).toBe(200);
    expect((await get('/api/health')).status).toBe(200);
    expect((await get('/socket.io/?EIO=4&transport=polling')).status).toBe(403);

    const login = await rawRequest({
      port,
      path: '/api/auth/login',
      method: 'POST',
      body: JSON.stringify({ token: E2E.adminToken }),
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect((await get('/', { cookie })).status).toBe(200);
    expect((await get('/api/pipeline', { cookie })).status).toBe(200);
    expect((await get('/socket.io/?EIO=4&transport=polling', { cookie })).status).toBe(200);
    expect((await get('/api/pipeline', bearer)).status).toBe(200);
  });
});

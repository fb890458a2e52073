// The API's guard rails, without a browser: every state-changing route refuses callers without
// the admin token (401 and how to sign in), bad input gets 400 with a message naming the field,
// and sign-in sets an httpOnly session cookie that then authorizes. Nothing here starts traffic.
import { expect, test } from '@playwright/test';
import { E2E } from './support/e2e-stack.ts';

const stateChanging = [
  '/api/simulator/start',
  '/api/simulator/stop',
  '/api/simulator/backfill',
  '/api/simulator/seed',
];
const bearer = { authorization: `Bearer ${E2E.adminToken}` };

test('state-changing calls without credentials get 401 and say how to sign in', async ({
  request,
}) => {
  for (const path of stateChanging) {
    const response = await request.post(path, { data: {} });
    expect(response.status(), path).toBe(401);
    const body = (await response.json()) as { error: string };
    expect(body.error, path).toContain('Sign in at /signin');
    expect(body.error, path).toContain('ADMIN_TOKEN');
  }
  const wrong = await request.post('/api/simulator/start', {
    data: {},
    headers: { authorization: 'Bearer not-the-token-at-all' },
  });
  expect(wrong.status()).toBe(401);
  // The simulator did not move.
  const status = (await (await request.get('/api/simulator')).json()) as {
    live: { state: string };
  };
  expect(status.live.state).toBe('stopped');
});

test('bad input gets 400 with a message naming what is wrong', async ({ request }) => {
  const cases: { path: string; data: unknown; mentions: string }[] = [
    { path: '/api/simulator/start', data: { rate: 50_000 }, mentions: 'rate' },
    { path: '/api/simulator/start', data: { rate: 'fast' }, mentions: 'rate' },
    { path: '/api/simulator/start', data: { lateShare: 0.9 }, mentions: 'lateShare' },
    {
      path: '/api/simulator/start',
      data: { clickToCheckoutSec: { min: 60, max: 10 } },
      mentions: 'min must not exceed max',
    },
    { path: '/api/simulator/start', data: { surprise: true }, mentions: 'surprise' },
    { path: '/api/simulator/backfill', data: { hours: 10_000 }, mentions: 'hours' },
    { path: '/api/simulator/seed', data: { users: -1 }, mentions: 'users' },
    { path: '/api/simulator/stop', data: { what: 'everything' }, mentions: 'what' },
  ];
  for (const c of cases) {
    const response = await request.post(c.path, { data: c.data, headers: bearer });
    expect(response.status(), JSON.stringify(c.data)).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(c.mentions);
  }
  const notJson = await request.post('/api/simulator/start', {
    headers: { ...bearer, 'content-type': 'text/plain' },
    data: 'rate=10',
  });
  expect(notJson.status()).toBe(400);

  for (const query of ['limit=500', 'limit=0', 'after=%%%', 'sort=sideways', 'from=yesterday']) {
    const response = await request.get(`/api/checkouts?${query}`);
    expect(response.status(), query).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^Bad query: /);
  }
  // Dead letters are for the signed-in operator (their payloads hold personal data).
  expect((await request.get('/api/admin/dead-letters?limit=1000')).status()).toBe(401);
  expect(
    (await request.get('/api/admin/dead-letters?limit=1000', { headers: bearer })).status(),
  ).toBe(400);
  expect((await request.get(`/api/checkouts/${'x'.repeat(201)}`)).status()).toBe(400);
  const missing = await request.get('/api/checkouts/no-such-checkout');
  expect(missing.status()).toBe(404);
  expect(((await missing.json()) as { error: string }).error).toContain('no-such-checkout');
});

test('sign-in sets an httpOnly session cookie that authorizes state changes', async ({
  playwright,
  baseURL,
}) => {
  // A browser sends its Origin with every POST; a cookie-authenticated change needs it.
  const api = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { origin: baseURL! },
  });
  try {
    const wrong = await api.post('/api/auth/login', { data: { token: 'wrong-token-123456' } });
    expect(wrong.status()).toBe(401);
    expect((await (await api.get('/api/auth/session')).json()).signedIn).toBe(false);

    const login = await api.post('/api/auth/login', { data: { token: E2E.adminToken } });
    expect(login.status()).toBe(200);
    const cookie = login.headers()['set-cookie'] ?? '';
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect((await (await api.get('/api/auth/session')).json()).signedIn).toBe(true);

    // Seeding is harmless and idempotent: a real state change the cookie alone authorizes.
    const seeded = await api.post('/api/simulator/seed', { data: { users: 5, products: 3 } });
    expect(seeded.status()).toBe(200);

    // A forged cookie is refused.
    const forged = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: {
        cookie: `clickstream_session=${'A'.repeat(43)}`,
        origin: baseURL!,
      },
    });
    expect((await forged.post('/api/simulator/seed', { data: {} })).status()).toBe(401);
    await forged.dispose();

    await api.post('/api/auth/logout');
    expect((await (await api.get('/api/auth/session')).json()).signedIn).toBe(false);
  } finally {
    await api.dispose();
  }
});

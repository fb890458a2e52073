// The security suite where a browser is the natural client (Chromium): a hostile page on another
// origin tries to open the live socket and to frame the app; every page runs under its CSP with
// no violation; the sign-in redirect never leaves the site; signing out in the browser kills a
// copied cookie; an anonymous visitor sees no personal data where the operator does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { E2E } from './support/e2e-stack.ts';
import {
  PERSONAL,
  deletePersonalCheckout,
  insertPersonalCheckout,
  personalIn,
} from './support/personal-row.ts';

const SITE = `http://localhost:${E2E.webPort}`;

async function signInOnPage(page: Page): Promise<void> {
  await page.goto('/signin?next=/admin');
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Admin token').fill(E2E.adminToken);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByTestId('session-badge')).toContainText('Signed in');
}

test('a page on another site can neither open the live socket nor frame the app', async ({
  page,
}) => {
  // The hostile page, served from its own origin (another port is another origin).
  const hostile = `<!doctype html><title>evil</title><body>
    <iframe id="frame" src="${SITE}/admin"></iframe>
    <script>
      window.socketResult = new Promise((resolve) => {
        const ws = new WebSocket('ws://localhost:${E2E.webPort}/socket.io/?EIO=4&transport=websocket');
        const got = [];
        ws.onmessage = (m) => got.push(String(m.data).slice(0, 40));
        ws.onopen = () => setTimeout(() => resolve({ opened: true, got }), 1500);
        ws.onerror = () => resolve({ opened: false, got });
        ws.onclose = () => resolve({ opened: false, got });
      });
    </script></body>`;
  const server = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(hostile),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const refusedFrames: string[] = [];
  page.on('console', (message) => {
    if (/frame-ancestors|X-Frame-Options/i.test(message.text())) refusedFrames.push(message.text());
  });
  try {
    await page.goto(`http://127.0.0.1:${port}/`);
    const result = (await page.evaluate('window.socketResult')) as {
      opened: boolean;
      got: string[];
    };
    expect(result).toEqual({ opened: false, got: [] });
    await expect.poll(() => refusedFrames.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const framed = page.frame({ url: new RegExp(`^${SITE}/admin`) });
    expect(
      await framed
        ?.locator('h1')
        .count()
        .catch(() => 0),
    ).toBeFalsy();
  } finally {
    server.close();
  }
});

test('every page runs under its Content-Security-Policy with no violation, and goes live', async ({
  page,
}) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(message.text())) {
      violations.push(`${page.url()}: ${message.text()}`);
    }
  });
  for (const path of ['/', '/checkouts', '/simulator', '/attribution', '/admin', '/signin']) {
    await page.goto(path);
    await expect(page.getByTestId('live-status')).toHaveText('live', { timeout: 10_000 });
  }
  // Client-side navigation (fetches and scripts loaded later) under the same policy.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Checkouts' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Checkouts' })).toBeVisible();
  expect(violations).toEqual([]);
});

test('after signing in, `next` never takes the browser to another site', async ({ page }) => {
  for (const next of [
    '/%09/evil.example',
    '//evil.example',
    '/%5Cevil.example',
    'https://evil.example',
  ]) {
    await page.context().clearCookies();
    await page.goto(`/signin?next=${next}`);
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Admin token').fill(E2E.adminToken);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${SITE}/simulator`);
  }
});

test('signing out in the browser ends the session for every copy of its cookie', async ({
  page,
  playwright,
}) => {
  await signInOnPage(page);
  const copied = (await page.context().cookies()).find((c) => c.name === 'clickstream_session');
  expect(copied?.httpOnly).toBe(true);
  expect(copied?.sameSite).toBe('Strict');
  const thief = await playwright.request.newContext({
    baseURL: SITE,
    extraHTTPHeaders: { cookie: `${copied!.name}=${copied!.value}`, origin: SITE },
  });
  try {
    expect(
      ((await (await thief.get('/api/auth/session')).json()) as { signedIn: boolean }).signedIn,
    ).toBe(true);
    // Sign out from the nav.
    await page.getByTestId('session-badge').getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByTestId('session-badge')).toContainText('Sign in');
    expect(
      ((await (await thief.get('/api/auth/session')).json()) as { signedIn: boolean }).signedIn,
    ).toBe(false);
    expect((await thief.post('/api/simulator/seed', { data: {} })).status()).toBe(401);

    // The admin page lists the live sessions, and "Sign out everywhere" ends this one too.
    await signInOnPage(page);
    await expect(page.getByTestId('session-row').first()).toBeVisible();
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await expect(page.getByTestId('session-badge')).toContainText('Sign in');
  } finally {
    await thief.dispose();
  }
});

test('an anonymous visitor sees figures, not who bought or where; the operator sees both', async ({
  page,
}) => {
  const checkoutId = await insertPersonalCheckout();
  try {
    await page.goto(`/checkouts/${checkoutId}`);
    await expect(page.getByTestId('attributed-click-id')).toHaveText(`${checkoutId}-click`);
    expect(personalIn(await page.content())).toEqual([]);
    await expect(page.getByTestId('shipping-address')).toContainText('sign in');
    await page.goto('/');
    await expect(page.getByTestId('feed-hidden')).toBeVisible({ timeout: 10_000 });
    await expect(page.getByTestId('feed-row')).toHaveCount(0);
    expect(personalIn(await page.content())).toEqual([]);
    await page.goto('/admin');
    await expect(page.getByTestId('dead-letters-hidden')).toBeVisible();

    await signInOnPage(page);
    await page.goto(`/checkouts/${checkoutId}`);
    await expect(page.getByTestId('shipping-address')).toHaveText(PERSONAL.shippingAddress);
    await expect(page.getByTestId('ip-address')).toHaveText(PERSONAL.ipAddress);
    await expect(page.getByTestId('checkout-user')).toContainText(PERSONAL.userName);
    await page.goto('/');
    await expect(page.getByTestId('feed-row').filter({ hasText: PERSONAL.userName })).toBeVisible({
      timeout: 15_000,
    });
    await page.screenshot({ path: 'test-results/screenshots/security-signed-in-feed.png' });
  } finally {
    await deletePersonalCheckout(checkoutId);
  }
});

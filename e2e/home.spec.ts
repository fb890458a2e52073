// The web platform end to end, before any traffic: the production build renders in Chromium,
// socket.io heartbeats reach the browser through the custom server, the empty states point to
// the simulator, and the health route answers.
import { expect, test } from '@playwright/test';

test('dashboard renders its title, navigation and empty state', async ({ page }) => {
  await page.goto('/');

  await expect(page).toHaveTitle('Clickstream');
  await expect(page.getByRole('heading', { level: 1, name: 'Clickstream' })).toBeVisible();

  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const label of ['Dashboard', 'Simulator', 'Checkouts', 'Attribution', 'Admin']) {
    await expect(nav.getByRole('link', { name: label, exact: true })).toBeVisible();
  }
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toHaveAttribute(
    'aria-current',
    'page',
  );

  const emptyState = page.getByTestId('empty-state');
  await expect(emptyState).toContainText('No events yet — start the simulator');
  await expect(emptyState.getByRole('link')).toHaveAttribute('href', '/simulator');

  await page.screenshot({ path: 'test-results/screenshots/home.png', fullPage: true });
});

test('live status turns live and heartbeats keep coming over socket.io', async ({ page }) => {
  await page.goto('/');
  const status = page.getByTestId('live-status');
  // A few seconds covers the socket.io handshake on a busy machine.
  await expect(status).toHaveText('live', { timeout: 10_000 });
  const firstBeatAt = Number(await status.getAttribute('data-last-beat-at'));
  expect(firstBeatAt).toBeGreaterThan(0);
  // The server beats every second: a later beat must replace the first one.
  await expect
    .poll(async () => Number(await status.getAttribute('data-last-beat-at')), { timeout: 5_000 })
    .toBeGreaterThan(firstBeatAt);
  await page.screenshot({ path: 'test-results/screenshots/home-live.png', fullPage: true });
});

test('the nav leads to every section without reloading the page', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('live-status')).toHaveText('live', { timeout: 10_000 });
  // A marker on window survives client-side navigation and is lost on a full reload, so it
  // shows the layout (nav, live connection) persists across sections.
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const [label, path] of [
    ['Simulator', '/simulator'],
    ['Checkouts', '/checkouts'],
    ['Attribution', '/attribution'],
    ['Admin', '/admin'],
  ] as const) {
    await nav.getByRole('link', { name: label, exact: true }).click();
    await expect(page).toHaveURL(path);
    await expect(page.getByRole('heading', { level: 1, name: label })).toBeVisible();
    await expect(nav.getByRole('link', { name: label, exact: true })).toHaveAttribute(
      'aria-current',
      'page',
    );
  }
  expect(await page.evaluate(() => '__sameDocument' in window)).toBe(true);
  await expect(page.getByTestId('live-status')).toHaveText('live');
  await page.screenshot({
    path: 'test-results/screenshots/admin-before-traffic.png',
    fullPage: true,
  });
});

test('the sign-in page says where the token comes from', async ({ page }) => {
  await page.goto('/signin?next=/admin');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Sign in' });
  await expect(form).toContainText('npm run demo');
  await expect(form).toContainText('ADMIN_TOKEN');
  await page.screenshot({ path: 'test-results/screenshots/signin.png', fullPage: true });
});

test('an unknown checkout id gets a not-found page, and the browser an empty state', async ({
  page,
}) => {
  const response = await page.goto('/checkouts/no-such-checkout');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'No such checkout' })).toBeVisible();
  await page.goto('/checkouts');
  await expect(page.getByTestId('no-rows')).toContainText('start the simulator');
  await page.screenshot({ path: 'test-results/screenshots/checkouts-empty.png', fullPage: true });
});

test('/api/health answers ok', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});

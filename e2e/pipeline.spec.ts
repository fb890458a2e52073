// The whole story a new user lives, in one browser tab against the real stack (Kafka, the e2e
// worker, PostgreSQL, the web server): sign in, start the simulator from the UI, watch the
// dashboard's figures rise and its feed fill without a reload, browse and page the checkouts,
// open one and see its attributed click, and check the admin page. The steps share the tab and
// run in order; this file sorts after home.spec.ts, whose empty-state test needs no traffic yet.
import { expect, test, type Page } from '@playwright/test';
import { E2E } from './support/e2e-stack.ts';

test.describe.configure({ mode: 'serial' });

let page: Page;

/** A full-page screenshot from the top (the sticky nav would otherwise sit mid-page). */
async function shot(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

test.beforeAll(async ({ browser }, testInfo) => {
  const { baseURL, viewport } = testInfo.project.use;
  page = await browser.newPage({ baseURL, viewport });
});

test.afterAll(async ({ request }) => {
  // Whatever happened above, leave no traffic running.
  await request.post('/api/simulator/stop', {
    data: { what: 'all' },
    headers: { authorization: `Bearer ${E2E.adminToken}` },
  });
  await page.close();
});

const figure = (testId: string) =>
  page.getByTestId(testId).locator('.figure-card__value').getAttribute('data-value');

test('the simulator asks to sign in, refuses a wrong token, accepts the right one', async () => {
  await page.goto('/simulator');
  await expect(page.getByRole('heading', { level: 1, name: 'Simulator' })).toBeVisible();
  const gate = page.getByTestId('sign-in-required');
  await expect(gate).toContainText('Sign in to run the simulator');
  await expect(gate).toContainText('npm run demo');
  await expect(page.getByRole('button', { name: 'Start traffic' })).toBeDisabled();
  await shot('simulator-signed-out');

  await gate.getByLabel('Admin token').fill('certainly-not-the-token');
  await gate.getByRole('button', { name: 'Sign in' }).click();
  await expect(gate.getByRole('alert')).toContainText('That is not the admin token');

  await gate.getByLabel('Admin token').fill(E2E.adminToken);
  await gate.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sign-in-required')).toHaveCount(0);
  await expect(page.getByTestId('session-badge')).toContainText('Signed in');
  await expect(page.getByRole('button', { name: 'Start traffic' })).toBeEnabled();
});

test('bad settings are refused with the server’s message; good ones start traffic', async () => {
  const settings = page.getByRole('form', { name: 'Live traffic settings' });
  await settings.getByLabel(/^Rate/).fill('50000');
  await settings.getByRole('button', { name: 'Start traffic' }).click();
  await expect(page.getByTestId('action-error')).toContainText('rate');
  await expect(page.getByTestId('simulator-state')).toHaveText('stopped');

  await settings.getByLabel(/^Rate/).fill('40');
  await settings.getByLabel('Click → checkout probability').fill('50');
  await settings.getByLabel('Click → checkout, shortest').fill('1');
  await settings.getByLabel('Click → checkout, longest').fill('20');
  await settings.getByLabel('Malformed').fill('3');
  await settings.getByLabel('Out of order').fill('0');
  await settings.getByRole('button', { name: 'Start traffic' }).click();
  await expect(page.getByTestId('simulator-state')).toHaveText('running', { timeout: 20_000 });
  await expect
    .poll(async () => Number(await page.getByTestId('simulator-sent').getAttribute('data-value')), {
      timeout: 10_000,
    })
    .toBeGreaterThan(0);
  await shot('simulator-running');
});

test('the dashboard’s figures rise and its feed fills without a reload', async () => {
  await page.goto('/');
  // Lost on a reload, kept by live updates: proves the page never reloads.
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));

  await expect
    .poll(async () => Number(await figure('figure-events')), { timeout: 30_000 })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('feed-row').first()).toBeVisible({ timeout: 30_000 });
  await expect
    .poll(async () => Number(await figure('figure-revenue')), { timeout: 30_000 })
    .toBeGreaterThan(0);
  await expect.poll(async () => Number(await figure('figure-attribution-rate'))).toBeGreaterThan(0);
  // Rows turn final once the watermark passes them, and final checkouts are counted.
  await expect
    .poll(async () => Number(await figure('figure-checkouts')), { timeout: 40_000 })
    .toBeGreaterThan(0);

  // The charts gain a point a second and the feed keeps changing, with no navigation.
  const chart = page.getByTestId('chart-throughput');
  const pointsBefore = Number(await chart.getAttribute('data-points'));
  await expect
    .poll(async () => Number(await chart.getAttribute('data-points')))
    .toBeGreaterThan(pointsBefore + 1);
  const firstFeedRow = await page.getByTestId('feed-row').first().textContent();
  await expect
    .poll(async () => page.getByTestId('feed-row').first().textContent(), { timeout: 20_000 })
    .not.toBe(firstFeedRow);
  await expect(page.getByTestId('empty-state')).toHaveCount(0);
  await expect(page.getByTestId('delay-histogram')).not.toHaveAttribute('data-total', '0');
  expect(await page.evaluate(() => '__sameDocument' in window)).toBe(true);
  await shot('dashboard-live');
});

test('the checkout browser filters, pages and opens a checkout with its attributed click', async () => {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Checkouts' })
    .click();
  await expect(page).toHaveURL('/checkouts');
  const rows = page.getByTestId('checkout-row');
  await expect(rows.first()).toBeVisible();

  // Ten a page; wait for more than a page of checkouts, then page forward and back.
  await page.getByTestId('page-size').selectOption('10');
  await expect(page).toHaveURL(/limit=10/);
  await expect(rows).toHaveCount(10);
  const next = page.getByRole('button', { name: 'Next →' });
  await expect(next).toBeEnabled({ timeout: 30_000 });
  const firstPage = await rows.evaluateAll((els) =>
    els.map((e) => e.getAttribute('data-checkout-id')),
  );
  await next.click();
  await expect(page).toHaveURL(/after=/);
  await expect(rows.first()).not.toHaveAttribute('data-checkout-id', firstPage[0]!);
  const secondPage = await rows.evaluateAll((els) =>
    els.map((e) => e.getAttribute('data-checkout-id')),
  );
  expect(secondPage.some((id) => firstPage.includes(id))).toBe(false);
  await page.getByRole('button', { name: '← Previous' }).click();
  await expect(page).toHaveURL(/before=/);
  await expect
    .poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-checkout-id'))))
    .toEqual(firstPage);

  // Oldest first reverses the order.
  await page.getByTestId('sort-time').click();
  await expect(page).toHaveURL(/sort=asc/);
  await expect(rows.first()).not.toHaveAttribute('data-checkout-id', firstPage[0]!);

  // Attributed only: every row names its click.
  const filters = page.getByRole('form', { name: 'Filters' });
  await filters.getByLabel('Attributed').selectOption('yes');
  await filters.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/attributed=yes/);
  await expect(rows.first()).toBeVisible();
  // Polled: the previous page stays on screen until the filtered one arrives.
  await expect
    .poll(async () =>
      (await rows.locator('td.mono').allTextContents()).every((t) => /^clk-/.test(t)),
    )
    .toBe(true);

  // One user's checkouts only.
  const userCell = await rows.first().locator('td').nth(1).textContent();
  const userId = /#(\d+)/.exec(userCell ?? '')?.[1];
  expect(userId).toBeDefined();
  await filters.getByLabel('User').fill(userId!);
  await filters.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(new RegExp(`user=${userId}`));
  await expect(rows.first()).toBeVisible();
  await expect
    .poll(async () =>
      (await rows.locator('td:nth-child(2)').allTextContents()).every((t) =>
        t.includes(`#${userId}`),
      ),
    )
    .toBe(true);

  // Final rows only (the watermark finalizes them a few seconds after their time).
  await filters.getByLabel('User').fill('');
  await filters.getByLabel('Row').selectOption('final');
  await filters.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/state=final/);
  await expect(rows.first()).toBeVisible({ timeout: 20_000 });
  await expect(rows.locator('.badge--warn')).toHaveCount(0);
  await shot('checkouts');

  // Open one: the detail page shows the same attributed click and the timeline.
  const chosen = rows.first();
  const checkoutId = await chosen.getAttribute('data-checkout-id');
  const clickId = (await chosen.locator('td.mono').textContent())?.trim();
  await chosen.getByRole('link').click();
  await expect(page).toHaveURL(`/checkouts/${checkoutId}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(checkoutId!);
  await expect(page.getByTestId('attributed-click-id')).toHaveText(clickId!);
  await expect(page.getByTestId('attribution-timeline')).toBeVisible();
  await expect(page.locator('[data-testid="timeline-click"][data-role="winner"]')).toContainText(
    clickId!,
  );
  await shot('checkout-detail');
});

test('the admin page shows pipeline health and the dead letters', async () => {
  await page.goto('/admin');
  await expect(page.getByRole('heading', { level: 1, name: 'Admin' })).toBeVisible();
  await expect(page.getByTestId('workers-table')).toContainText('up');
  await expect(page.getByTestId('partitions-table')).toBeVisible();
  await expect(page.getByTestId('consumer-lag')).toContainText(E2E.clicksTopic);
  // A small chart per topic (bars per partition), not a table of every partition.
  await expect(page.getByTestId('lag-chart').first().locator('svg.recharts-surface')).toHaveCount(
    2,
  );
  // The simulator sent malformed messages: they are stored with a reason and the raw payload.
  const letters = page.getByTestId('dead-letter-row');
  await expect(letters.first()).toBeVisible({ timeout: 20_000 });
  await expect(letters.first()).toContainText(E2E.clicksTopic.slice(0, 3));
  await page
    .getByRole('search')
    .getByLabel('Search reason or payload')
    .fill('no-such-text-anywhere');
  await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
  await expect(letters).toHaveCount(0);
  await page.getByRole('search').getByLabel('Search reason or payload').fill('');
  await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
  await expect(letters.first()).toBeVisible();
  await expect(page.getByTestId('slot-lake-export')).toBeVisible();
  await expect(page.getByTestId('slot-models')).toBeVisible();
  await shot('admin');
});

test('stopping the simulator from the UI stops the traffic', async () => {
  await page.goto('/simulator');
  await page.getByRole('button', { name: 'Stop traffic' }).click();
  await expect(page.getByTestId('simulator-state')).toHaveText('stopped', { timeout: 20_000 });
});

test('a backfill writes an hour of past events and shows its progress', async () => {
  const backfill = page.getByTestId('backfill');
  await backfill.getByLabel('Hours').fill('1');
  await backfill.getByLabel(/^Rate/).fill('2');
  await backfill.getByRole('button', { name: 'Backfill 1 h' }).click();
  const progress = page.getByTestId('backfill-progress');
  await expect(progress).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await expect(progress).toContainText('messages');
  await shot('simulator-backfill');
});

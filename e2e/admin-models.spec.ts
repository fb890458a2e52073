// The dbt models from the admin page, in Chromium against the e2e stack: unauthenticated starts
// are refused, a signed-in user runs the models over the lake the lake spec exported (dbt build
// in the project's .venv, 30-90 s here), follows the progress to the finished run, and sees the
// reconciliation chart, its days and the differing checkouts linking to their pages; the
// attribution page then compares the five models it published; the dbt docs are served. Runs
// after admin-lake.spec.ts (name order, project 'batch').
import { expect, test, type Page } from '@playwright/test';
import { E2E } from './support/e2e-stack.ts';

test.describe.configure({ mode: 'serial' });

const bearer = { authorization: `Bearer ${E2E.adminToken}` };
let page: Page;

async function shot(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

test.beforeAll(async ({ browser }, testInfo) => {
  const { baseURL, viewport } = testInfo.project.use;
  page = await browser.newPage({ baseURL, viewport });
});

test.afterAll(async () => {
  await page.close();
});

test('running the models needs the admin token', async ({ request }) => {
  const anonymous = await request.post('/api/admin/models/run', { data: {} });
  expect(anonymous.status()).toBe(401);
  expect(((await anonymous.json()) as { error: string }).error).toContain('Sign in');
  expect((await request.get('/api/admin/models')).status()).toBe(200);
  expect((await request.get('/api/admin/models/runs/not-a-uuid')).status()).toBe(400);
});

test('a signed-in user runs the models and sees the reconciliation', async ({ request }) => {
  test.setTimeout(300_000);
  // The lake spec left a lake; without one (this file run alone) export first.
  const lake = (await (await request.get('/api/admin/lake/tables')).json()) as {
    table: string;
    exists: boolean;
  }[];
  if (!lake.find((t) => t.table === 'clicks')?.exists) {
    const started = await request.post('/api/admin/lake/run', { data: {}, headers: bearer });
    expect(started.status(), await started.text()).toBe(202);
    await expect
      .poll(
        async () =>
          ((await (await request.get('/api/admin/lake')).json()) as { running: boolean }).running,
        { timeout: 120_000 },
      )
      .toBe(false);
  }

  await page.goto('/admin');
  const gate = page.getByTestId('admin-session');
  await gate.getByLabel('Admin token').fill(E2E.adminToken);
  await gate.getByRole('button', { name: 'Sign in' }).click();
  const panel = page.getByTestId('models');
  const run = panel.getByRole('button', { name: 'Run models' });
  await expect(run).toBeEnabled();
  const started = Date.now();
  await run.click();

  await expect(panel.getByTestId('models-progress')).toBeVisible({ timeout: 15_000 });
  const second = await request.post('/api/admin/models/run', { data: {}, headers: bearer });
  expect(second.status()).toBe(409);
  // Live progress per model and test while dbt builds.
  await expect(panel.getByTestId('models-node').first()).toBeVisible({ timeout: 120_000 });
  await expect(panel.getByTestId('models-done')).toBeVisible();
  await shot('admin-models-running');

  const finished = panel.getByTestId('models-run').first();
  await expect(finished).not.toHaveAttribute('data-status', 'running', { timeout: 240_000 });
  console.log(`[admin-models] models run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await expect(finished, await finished.innerText()).toHaveAttribute('data-status', 'succeeded');
  await expect(finished.getByTestId('models-run-counts')).toContainText('0 failed, 0 errors');
  await finished.getByRole('button', { name: 'Timings' }).click();
  await expect(panel.getByTestId('models-run-nodes')).toContainText('fct_checkout_attribution');

  const reconciliation = panel.getByTestId('reconciliation');
  await expect(reconciliation).toBeVisible({ timeout: 15_000 });
  const chart = reconciliation.getByTestId('reconciliation-chart');
  await expect(chart.getByRole('application')).toBeVisible();
  expect(Number(await chart.getAttribute('data-days'))).toBeGreaterThan(0);
  await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(reconciliation.getByTestId('reconciliation-agreement')).toContainText(
    'checkouts agree',
  );
  await shot('admin-models-finished');

  // A differing checkout (if any) links to its detail page.
  const difference = reconciliation.getByTestId('reconciliation-difference').first();
  if ((await difference.count()) > 0) {
    const href = await difference.getByRole('link').getAttribute('href');
    expect(href).toMatch(/^\/checkouts\/.+/);
  }
});

test('after the run, the attribution page compares the five models by channel', async ({
  request,
}) => {
  // What the run published (lib/jobs/models-contract.ts), as the page reads it.
  const report = (await (await request.get('/api/attribution')).json()) as {
    lastBuiltAt: string | null;
    channels: { channel: string }[];
    totals: Record<string, number>;
  };
  expect(report.lastBuiltAt).not.toBeNull();
  expect(report.channels.length).toBeGreaterThan(0);
  // Every model credits the same revenue: it only splits it differently.
  expect(new Set(Object.values(report.totals)).size).toBe(1);

  await page.goto('/attribution');
  await expect(page.getByTestId('last-built-at')).toHaveAttribute(
    'data-value',
    report.lastBuiltAt!,
  );
  const chart = page.getByTestId('model-comparison');
  await expect(chart).toHaveAttribute(
    'data-models',
    'first_click last_click linear time_decay position_based',
  );
  await expect(chart.locator('.recharts-legend-item-text')).toHaveText([
    'First click',
    'Last click',
    'Linear',
    'Time decay',
    'Position-based',
  ]);
  await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByTestId('credit-shift-row').first()).toBeVisible();
  await shot('attribution-after-models');

  // The oldest attributed checkout was exported and modelled: under every model its clicks'
  // credits add up to its amount, to the cent, and the page lists them.
  const oldest = (await (
    await request.get('/api/checkouts?attributed=yes&sort=asc&limit=1')
  ).json()) as { rows: { checkoutId: string; totalAmount: string }[] };
  const checkout = oldest.rows[0]!;
  const credits = (await (
    await request.get(`/api/attribution/checkouts/${encodeURIComponent(checkout.checkoutId)}`)
  ).json()) as { clicks: { credits: Record<string, { amount: number } | undefined> }[] };
  expect(credits.clicks.length).toBeGreaterThan(0);
  for (const model of ['first_click', 'last_click', 'linear', 'time_decay', 'position_based']) {
    const cents = credits.clicks.reduce(
      (sum, k) => sum + Math.round((k.credits[model]?.amount ?? 0) * 100),
      0,
    );
    expect(cents, model).toBe(Math.round(Number(checkout.totalAmount) * 100));
  }
  await page.goto(`/checkouts/${encodeURIComponent(checkout.checkoutId)}`);
  await expect(page.getByTestId('credits-click')).toHaveCount(credits.clicks.length);
  await shot('checkout-credits-after-models');
});

test('the dbt docs are served for browsing the lineage', async ({ request }) => {
  const docs = await request.get('/dbt-docs');
  expect(docs.status()).toBe(200);
  expect(docs.headers()['content-type']).toContain('text/html');
  const manifest = await request.get('/dbt-docs/manifest.json');
  expect(manifest.status()).toBe(200);
  const nodes = ((await manifest.json()) as { nodes: Record<string, unknown> }).nodes;
  expect(Object.keys(nodes).some((k) => k.endsWith('.fct_checkout_attribution'))).toBe(true);
  expect((await request.get('/dbt-docs/profiles.yml')).status()).toBe(404);
  expect((await request.get('/dbt-docs/..%2Fprofiles.yml')).status()).toBe(404);

  await page.goto('/dbt-docs');
  await expect(page).toHaveTitle(/dbt/i);
  await shot('admin-dbt-docs');
});

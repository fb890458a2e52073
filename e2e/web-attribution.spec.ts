// The attribution models in Chromium (issue 14), on data written straight into the e2e database
// as a models run would publish it (e2e/support/attribution-seed.ts): the page's empty state
// before any build, then the grouped bars with the five models, the credit moved against first
// click, "last built at", the Rebuild button's sign-in and its progress while a run goes (the run
// itself is the admin-models spec's: here the admin API is answered by the test), the checkout
// page's credits per click and model, and the dashboard's live revenue by channel. Sorts after
// home.spec.ts, whose empty states need a database without these rows; removes them at the end.
import { expect, test, type Page } from '@playwright/test';
import {
  MODEL_LABELS,
  MODELS,
  SEED_CREDITS,
  removeAttributionSeed,
  seedAttribution,
  seededRevenue,
  type AttributionSeed,
} from './support/attribution-seed.ts';
import { E2E } from './support/e2e-stack.ts';

test.describe.configure({ mode: 'serial' });

let seed: AttributionSeed | undefined;

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

test.afterAll(async () => {
  if (seed) await removeAttributionSeed(seed);
});

test('before any models run, the page says so and how to run them', async ({ page, request }) => {
  const report = (await (await request.get('/api/attribution')).json()) as {
    lastBuiltAt: string | null;
    coverage: { from: string | null };
  };
  test.skip(
    report.lastBuiltAt !== null || report.coverage.from !== null,
    'the models have run in this database already',
  );
  await page.goto('/attribution');
  await expect(page.getByRole('heading', { level: 1, name: 'Attribution' })).toBeVisible();
  const empty = page.getByTestId('attribution-empty');
  await expect(empty).toHaveAttribute('data-reason', 'never-built');
  await expect(empty).toContainText('Run the models from here');
  await expect(page.getByTestId('last-built-at')).toHaveText('never');
  // Signed out: the button is there, disabled, and the page says to sign in.
  await expect(page.getByTestId('rebuild-models')).toBeDisabled();
  await expect(page.getByTestId('models-build')).toContainText('Sign in to rebuild');
  await shot(page, 'attribution-empty');
});

test('bad ranges are refused with a message', async ({ page, request }) => {
  const bad = await request.get('/api/attribution?from=2026-11-30&to=2026-11-01');
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toContain('from must not be after to');
  expect((await request.get('/api/attribution?from=nope')).status()).toBe(400);
  expect((await request.get('/api/pipeline/channels?x=1')).status()).toBe(400);
  await page.goto('/attribution?from=nope');
  await expect(page.getByTestId('attribution-range-error')).toContainText('YYYY-MM-DD');
});

test('the five models side by side as grouped bars, with the credit each moves', async ({
  page,
}) => {
  seed = await seedAttribution();
  await page.goto('/attribution');
  const chart = page.getByTestId('model-comparison');
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAttribute('data-models', MODELS.join(' '));
  // Four channels (email, paid search, organic social, direct), never 'unattributed'.
  await expect(chart).toHaveAttribute('data-channels', '4');
  const legend = chart.locator('.recharts-legend-item-text');
  await expect(legend).toHaveText(MODEL_LABELS);
  // One series of bars per model, one bar per channel in each: every seeded revenue is > 0.
  await expect(chart.locator('.recharts-bar')).toHaveCount(5);
  await expect(chart.locator('.recharts-bar-rectangle path')).toHaveCount(5 * 4);
  await expect(page.getByTestId('last-built-at')).toHaveAttribute('data-value', seed.builtAt);

  // Credit moved against first click: paid search gains 30 % of the $100 checkout under linear
  // rounding (33.33) and time decay ($30), email loses what the others gain.
  const shifts = page.getByTestId('credit-shifts');
  const row = (channel: string) => shifts.locator(`[data-channel="${channel}"]`);
  await expect(shifts.getByTestId('credit-shift-row')).toHaveCount(4);
  const shiftOf = async (channel: string, column: number) =>
    Number(await row(channel).locator('td.shift-cell').nth(column).getAttribute('data-value'));
  // Columns after first click: last click, linear, time decay, position-based.
  expect(await shiftOf('paid_search', 1)).toBeCloseTo(33.33, 2);
  expect(await shiftOf('paid_search', 2)).toBeCloseTo(30, 2);
  expect(await shiftOf('email', 0)).toBeCloseTo(-100, 2);
  expect(await shiftOf('organic_social', 0)).toBeCloseTo(100, 2);
  expect(await shiftOf('direct', 3)).toBe(0);
  // Every model credits the same total.
  for (const model of MODELS) {
    const total = ['email', 'paid_search', 'organic_social', 'direct']
      .map((c) => seededRevenue(model, c))
      .reduce((a, b) => a + b, 0);
    await expect(shifts.getByTestId(`total-${model}`)).toHaveText(
      total.toLocaleString('en-US', { style: 'currency', currency: 'USD' }),
    );
  }
  await expect(page.getByTestId('attribution-coverage')).toContainText('$55.00');
  // Campaigns: the seeded clicks' (email's spring-sale, paid search's brand), first click first.
  const campaigns = page.getByTestId('campaign-row');
  await expect(campaigns).toHaveCount(2);
  await expect(campaigns.nth(0)).toHaveAttribute('data-campaign', 'spring-sale');
  await expect(campaigns.nth(1)).toHaveAttribute('data-campaign', 'brand');
  await expect(campaigns.nth(1).locator('[data-model="linear"]')).toHaveAttribute(
    'data-value',
    '33.33',
  );
  await shot(page, 'attribution');

  // A range without the seeded day: the empty state names the days that exist.
  await page.getByLabel('From (UTC day)').fill('2001-01-01');
  await page.getByLabel('To (UTC day)').fill('2001-01-02');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/from=2001-01-01&to=2001-01-02/);
  await expect(page.getByTestId('attribution-empty')).toHaveAttribute('data-reason', 'no-credits');
  await expect(page.getByTestId('attribution-empty')).toContainText('The credits cover');
});

test('Rebuild needs sign-in, then queues a run and follows it to the new build', async ({
  page,
}) => {
  await page.goto('/signin?next=/attribution');
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Admin token').fill(E2E.adminToken);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/attribution$/);
  const rebuild = page.getByTestId('rebuild-models');
  await expect(rebuild).toBeEnabled();

  // The models run belongs to the batch specs; here the admin API answers for the jobs worker.
  const run = {
    id: '00000000-0000-4000-8000-000000000001',
    kind: 'models',
    status: 'running',
    startedAt: new Date().toISOString(),
    finishedAt: null,
    durationMs: null,
    progress: { phase: 'build', total: 40, done: 10, counts: {}, nodes: [], errors: [] },
    result: null,
    error: null,
    claimedBy: null,
    attempts: 1,
  };
  let state: 'idle' | 'running' | 'done' = 'idle';
  let posted = 0;
  await page.route('**/api/admin/models/run', async (route) => {
    posted += 1;
    state = 'running';
    await route.fulfill({ status: 202, json: { runId: run.id } });
  });
  await page.route('**/api/admin/models', async (route) => {
    const current = state === 'running' ? run : null;
    await route.fulfill({ json: { running: state === 'running', current, runs: [] } });
  });
  let reportsAfterRun = 0;
  await page.route('**/api/attribution', async (route) => {
    if (state === 'done') reportsAfterRun += 1;
    await route.continue();
  });
  await rebuild.click();
  expect(posted).toBe(1);
  const progress = page.getByTestId('rebuild-progress');
  await expect(progress).toContainText('dbt build · 10 of 40 nodes');
  await expect(rebuild).toHaveText('Rebuilding…');
  await expect(rebuild).toBeDisabled();
  await shot(page, 'attribution-rebuilding');
  state = 'done';
  await expect(progress).toHaveCount(0, { timeout: 5_000 });
  // The run ended: the page read its figures again.
  await expect.poll(() => reportsAfterRun, { timeout: 5_000 }).toBeGreaterThan(0);
  await expect(rebuild).toHaveText('Rebuild');
});

test('the checkout page lists each click’s credit under each model', async ({ page, request }) => {
  expect(seed).toBeDefined();
  // The credits are open to read: no user id in the answer (the table has one).
  const api = await request.get(`/api/attribution/checkouts/${seed!.checkoutId}`);
  expect(api.status()).toBe(200);
  const body = await api.text();
  expect(body).not.toMatch(/user_?id/i);
  expect(body).not.toContain('attribution seed');
  expect((JSON.parse(body) as { clicks: unknown[] }).clicks).toHaveLength(3);
  await page.goto(`/checkouts/${seed!.checkoutId}`);
  const credits = page.getByTestId('checkout-credits');
  await expect(credits.getByTestId('credits-table')).toBeVisible();
  await expect(credits.locator('thead th')).toHaveText([
    'Click',
    'Before checkout',
    'Channel',
    ...MODEL_LABELS,
  ]);
  const clicks = credits.getByTestId('credits-click');
  await expect(clicks).toHaveCount(3);
  // Oldest click first; each model's column adds up to the $100.00 amount.
  for (const [i, clickId] of seed!.clickIds.entries()) {
    const click = clicks.nth(i);
    await expect(click).toHaveAttribute('data-click-id', clickId);
    for (const model of MODELS) {
      const cents = SEED_CREDITS[model][i]!;
      await expect(click.locator(`[data-model="${model}"]`)).toContainText(
        cents === 0
          ? '—'
          : (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' }),
      );
    }
  }
  await expect(clicks.nth(0)).toContainText('email');
  await expect(clicks.nth(0)).toContainText('spring-sale');
  await expect(page.getByTestId('attribution-timeline')).toBeVisible();
  await shot(page, 'checkout-credits');

  await page.goto(`/checkouts/${seed!.uncoveredCheckoutId}`);
  await expect(page.getByTestId('credits-note')).toContainText('No model credits this checkout');
});

test('the dashboard shows live first-click revenue by channel', async ({ page, request }) => {
  const live = (await (await request.get('/api/pipeline/channels')).json()) as {
    channels: { channel: string | null; label: string; revenue: number }[];
  };
  expect(live.channels.find((c) => c.channel === 'email')?.revenue).toBeGreaterThanOrEqual(100);
  await page.goto('/');
  const card = page.getByTestId('channel-revenue');
  await expect(card.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(card).toContainText('email');
  await shot(page, 'dashboard-channels');
});

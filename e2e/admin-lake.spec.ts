// The lake export from the admin page, in Chromium against the e2e stack: unauthenticated starts
// are refused, a signed-in user starts an export, which runs in the jobs worker (the run's row
// names the worker that claimed it: the jobs worker's own identity, never the web server), follows
// its live progress to the finished run in the history (rows per table, Delta versions), a second
// start while one is queued or running gets 409, and a table's Delta history travels back to an
// earlier version. Runs after the platform specs (project 'batch'),
// on the e2e lake (data/e2e/lake, emptied first), whose topics the pipeline spec filled.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { E2E } from './support/e2e-stack.ts';

test.describe.configure({ mode: 'serial' });

const bearer = { authorization: `Bearer ${E2E.adminToken}` };
let page: Page;

async function shot(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/** Writes `hours` of past events through the simulator's backfill and waits until it is done. */
async function produceEvents(request: APIRequestContext, hours: number): Promise<void> {
  const seeded = await request.post('/api/simulator/seed', { data: {}, headers: bearer });
  expect(seeded.status()).toBeLessThan(300);
  const started = await request.post('/api/simulator/backfill', {
    data: { hours, rate: 5 },
    headers: bearer,
  });
  expect(started.status(), await started.text()).toBe(202);
  await expect
    .poll(
      async () =>
        ((await (await request.get('/api/simulator')).json()) as { backfill: { state: string } })
          .backfill.state,
      { timeout: 60_000 },
    )
    .toBe('done');
}

test.beforeAll(async ({ browser }, testInfo) => {
  // The e2e lake and the models' warehouse beside it (LAKE_URI in playwright.config.ts): a fresh
  // lake each run, so its first export is version 0 of every table.
  rmSync(path.resolve('data/e2e'), { recursive: true, force: true });
  const { baseURL, viewport } = testInfo.project.use;
  page = await browser.newPage({ baseURL, viewport });
});

test.afterAll(async () => {
  await page.close();
});

test('starting an export needs the admin token', async ({ request }) => {
  const anonymous = await request.post('/api/admin/lake/run', { data: {} });
  expect(anonymous.status()).toBe(401);
  expect(((await anonymous.json()) as { error: string }).error).toContain('Sign in');
  const wrong = await request.post('/api/admin/lake/run', {
    data: {},
    headers: { authorization: 'Bearer not-the-token' },
  });
  expect(wrong.status()).toBe(401);
  // Reads stay open, and bad input is named.
  expect((await request.get('/api/admin/lake')).status()).toBe(200);
  expect((await request.get('/api/admin/lake/tables/nope/history')).status()).toBe(400);
  expect((await request.get('/api/admin/lake/tables/clicks/versions/-1')).status()).toBe(400);

  await page.goto('/admin');
  const panel = page.getByTestId('lake-export');
  await expect(panel.getByRole('button', { name: 'Run lake export' })).toBeDisabled();
  await expect(
    panel.getByTestId('lake-runs').or(panel.getByText('No export has run yet')),
  ).toBeVisible();
});

test('a signed-in user runs an export and sees it finish with rows and Delta versions', async ({
  request,
}) => {
  // Traffic first (the simulator's backfill), then the export: more than the default 30 s.
  test.setTimeout(180_000);
  await produceEvents(request, 1);
  await page.goto('/admin');
  const gate = page.getByTestId('admin-session');
  await gate.getByLabel('Admin token').fill(E2E.adminToken);
  await gate.getByRole('button', { name: 'Sign in' }).click();
  const panel = page.getByTestId('lake-export');
  const run = panel.getByRole('button', { name: 'Run lake export' });
  await expect(run).toBeEnabled();

  // What the page shows while the run goes: its phase and the topics' read counts, sampled.
  const phases = new Set<string>();
  const readCounts = new Set<string>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      // allTextContents does not wait: the block goes away when the run ends.
      for (const phase of await panel.getByTestId('lake-export-phase').allTextContents())
        phases.add(phase);
      const reads = await panel.getByTestId('lake-topic-read').allTextContents();
      if (reads.length > 0) readCounts.add(reads.join(' '));
      await page.waitForTimeout(100);
    }
  })();

  const started = Date.now();
  await run.click();
  // Live progress per topic while it runs (an export of this size takes a few seconds).
  await expect(panel.getByTestId('lake-export-progress')).toBeVisible({ timeout: 10_000 });
  await expect(panel.getByRole('button', { name: 'Export running…' })).toBeDisabled();
  // A second start while it is queued or running is refused, not started twice.
  const second = await request.post('/api/admin/lake/run', { data: {}, headers: bearer });
  expect(second.status()).toBe(409);
  expect(((await second.json()) as { error: string }).error).toMatch(/already (running|queued)/);
  await expect(panel.getByTestId('lake-topic-progress').first()).toBeVisible({ timeout: 10_000 });
  // The run was claimed by the jobs worker: the identity on its row (and on the page) is the one
  // the jobs worker reports for itself, so the export ran there and not in the web server.
  const jobsWorker = (await (
    await request.get(`http://127.0.0.1:${E2E.jobsPort}/healthz`)
  ).json()) as { worker: string };
  expect(jobsWorker.worker).toMatch(/^jobs \d+@/);
  await expect(panel.getByTestId('lake-export-worker')).toContainText(jobsWorker.worker);
  await shot('admin-lake-running');

  const finished = panel.getByTestId('lake-run').first();
  await expect(finished).toHaveAttribute('data-status', 'succeeded', { timeout: 90_000 });
  console.log(`[admin-lake] first export: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  sampling = false;
  await sampler;
  // The page followed the run as it went: more than one phase, or read counts that grew.
  console.log(
    `[admin-lake] phases seen: ${[...phases].join(', ')}; read counts: ${readCounts.size}`,
  );
  expect(phases.size + readCounts.size, [...phases, ...readCounts].join(' | ')).toBeGreaterThan(2);
  const runs = (await (await request.get('/api/admin/lake', { headers: bearer })).json()) as {
    runs: { status: string; claimedBy: string | null }[];
  };
  expect(runs.runs[0]).toMatchObject({ status: 'succeeded', claimedBy: jobsWorker.worker });
  // An anonymous reader sees that it ran, not where.
  const anonymous = (await (await request.get('/api/admin/lake')).json()) as typeof runs;
  expect(anonymous.runs[0]?.claimedBy).toBeNull();
  await expect(panel.getByTestId('lake-export-progress')).toHaveCount(0);
  await expect(finished.getByTestId('lake-run-rows')).toContainText('clicks');
  await expect(finished.getByTestId('lake-run-versions')).toContainText('clicks v0');
  await expect(finished.getByTestId('lake-run-versions')).toContainText('checkouts v0');
  const clicksRow = panel.locator('[data-testid="lake-table"][data-table="clicks"]');
  await expect(clicksRow).toContainText('clicks');
  await shot('admin-lake-finished');
});

test('a second export adds a version; the history travels back to the first', async ({
  request,
}) => {
  const status = async () =>
    (await (await request.get('/api/admin/lake')).json()) as {
      runs: { result: { tables: Record<string, { rowsAdded: number }> } | null }[];
    };
  const firstRows = (await status()).runs[0]!.result!.tables.clicks!.rowsAdded;
  expect(firstRows).toBeGreaterThan(0);

  await produceEvents(request, 0.1);
  const panel = page.getByTestId('lake-export');
  await panel.getByRole('button', { name: 'Run lake export' }).click();
  await expect(panel.getByTestId('lake-run')).toHaveCount(2, { timeout: 30_000 });
  await expect(panel.getByTestId('lake-run').first()).toHaveAttribute('data-status', 'succeeded', {
    timeout: 90_000,
  });
  await expect(
    panel.getByTestId('lake-run').first().getByTestId('lake-run-versions'),
  ).toContainText('clicks v1');

  const clicksRow = panel.locator('[data-testid="lake-table"][data-table="clicks"]');
  await expect(clicksRow.getByTestId('lake-table-version')).toHaveText('1', { timeout: 20_000 });
  await clicksRow.getByRole('button', { name: 'History' }).click();
  const history = panel.locator('[data-testid="lake-table-history"][data-table="clicks"]');
  await expect(history.getByTestId('lake-history-entry')).toHaveCount(2);
  await expect(history.getByTestId('lake-history-entry').first()).toContainText('STREAMING UPDATE');
  await history.getByRole('button', { name: 'View as of version 0' }).click();
  await expect(history.getByTestId('lake-as-of')).toContainText(
    `clicks as of version 0: ${firstRows.toLocaleString('en-US')} rows`,
  );
  await shot('admin-lake-history');
});

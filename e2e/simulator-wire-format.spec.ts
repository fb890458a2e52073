// The simulator's wire format and the admin page's schema panel, against the real schema
// registry (SCHEMA_REGISTRY_URL from .env.local): the API refuses an unknown encoding or version
// (400) and anyone not signed in (401); on the page, live traffic starts as Avro with click v1 and
// switches to v2 while it runs; "Try click schema v3" shows the registry's refusal; the admin
// panel lists the clicks subject with v1 and v2, its compatibility, and the messages the worker
// read per schema version. Leaves the simulator stopped and sending JSON v1.
import { expect, test, type Page } from '@playwright/test';
import { E2E } from './support/e2e-stack.ts';

test.describe.configure({ mode: 'serial' });

let page: Page;
const bearer = { authorization: `Bearer ${E2E.adminToken}` };
const subject = `${E2E.clicksTopic}-value`;

async function shot(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

async function applyWireFormat(encoding: 'JSON' | 'Avro (schema registry)', version: 'v1' | 'v2') {
  const card = page.getByTestId('wire-format');
  await card.getByRole('radio', { name: encoding }).check();
  await card.getByLabel('Click schema').selectOption(version);
  await card.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('wire-format-current')).toHaveAttribute(
    'data-click-schema',
    version,
  );
}

test.beforeAll(async ({ browser, request }, testInfo) => {
  const { baseURL, viewport } = testInfo.project.use;
  await request.post('/api/simulator/stop', { data: { what: 'all' }, headers: bearer });
  page = await browser.newPage({ baseURL, viewport });
  await page.goto('/simulator');
  const gate = page.getByTestId('sign-in-required');
  await gate.getByLabel('Admin token').fill(E2E.adminToken);
  await gate.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sign-in-required')).toHaveCount(0);
});

test.afterAll(async ({ request }) => {
  await request.post('/api/simulator/stop', { data: { what: 'all' }, headers: bearer });
  await request.post('/api/simulator/wire-format', {
    data: { encoding: 'json', clickSchema: 'v1' },
    headers: bearer,
  });
  await page.close();
});

test('the API names what it accepts, and needs sign-in', async ({ request }) => {
  for (const [data, message] of [
    [{ encoding: 'protobuf' }, 'encoding: unknown encoding "protobuf": expected one of json, avro'],
    [
      { encoding: 'avro', clickSchema: 'v7' },
      'clickSchema: unknown click schema version "v7": expected one of v1, v2',
    ],
  ] as const) {
    const response = await request.post('/api/simulator/wire-format', { data, headers: bearer });
    expect(response.status(), JSON.stringify(data)).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(message);
  }
  const v9 = await request.post('/api/simulator/schemas', {
    data: { clickSchema: 'v9' },
    headers: bearer,
  });
  expect(v9.status()).toBe(400);
  for (const path of ['/api/simulator/wire-format', '/api/simulator/schemas']) {
    const anonymous = await request.post(path, {
      data: { encoding: 'avro', clickSchema: 'v2' },
    });
    expect(anonymous.status(), path).toBe(401);
  }
});

test('JSON producers switch to click v2 (session_id) while traffic runs', async () => {
  await applyWireFormat('JSON', 'v2');
  await expect(page.getByTestId('wire-format-current')).toHaveAttribute('data-encoding', 'json');
  const settings = page.getByRole('form', { name: 'Live traffic settings' });
  await settings.getByLabel(/^Rate/).fill('80');
  await settings.getByRole('button', { name: 'Start traffic' }).click();
  await expect(page.getByTestId('simulator-state')).toHaveText('running', { timeout: 20_000 });
  const sent = async () =>
    Number(await page.getByTestId('simulator-sent').getAttribute('data-value'));
  await expect.poll(sent, { timeout: 20_000 }).toBeGreaterThan(100);
  await page.getByTestId('wire-format').screenshot({
    path: 'test-results/screenshots/simulator-wire-format-card.png',
  });
  await applyWireFormat('JSON', 'v1');
  const atSwitch = await sent();
  await expect.poll(sent, { timeout: 20_000 }).toBeGreaterThan(atSwitch + 100);
  await page.getByRole('button', { name: 'Stop traffic' }).click();
  await expect(page.getByTestId('simulator-state')).toHaveText('stopped', { timeout: 20_000 });
});

test('the admin schema panel counts the JSON messages the worker read, and names the registry state', async ({
  browser,
}, testInfo) => {
  const { baseURL, viewport } = testInfo.project.use;
  // A page of its own: the simulator page stays signed in for the next tests.
  const admin = await browser.newPage({ baseURL, viewport });
  await admin.goto('/admin');
  const panel = admin.getByTestId('schema-panel');
  await expect(
    panel
      .getByTestId('schema-counts')
      .locator(`tr[data-topic="${E2E.clicksTopic}"][data-encoding="json"]`),
  ).toBeVisible({ timeout: 30_000 });
  // Up (subjects listed), down, or not configured: the panel says which, the page works.
  await expect(
    panel.getByTestId(/^(schema-subjects|schema-registry-down|schema-registry-missing)$/),
  ).toBeVisible();
  await panel.screenshot({ path: 'test-results/screenshots/admin-schema-panel-1280.png' });
  await admin.close();
});

test('live traffic as Avro click v1, switched to v2 while it runs', async () => {
  await applyWireFormat('Avro (schema registry)', 'v1');
  await expect(page.getByTestId('wire-format-current')).toHaveAttribute('data-encoding', 'avro');
  const settings = page.getByRole('form', { name: 'Live traffic settings' });
  await settings.getByLabel(/^Rate/).fill('80');
  await settings.getByRole('button', { name: 'Start traffic' }).click();
  await expect(page.getByTestId('simulator-state')).toHaveText('running', { timeout: 20_000 });
  const sent = async () =>
    Number(await page.getByTestId('simulator-sent').getAttribute('data-value'));
  await expect.poll(sent, { timeout: 20_000 }).toBeGreaterThan(150);

  await applyWireFormat('Avro (schema registry)', 'v2');
  const atSwitch = await sent();
  await expect.poll(sent, { timeout: 20_000 }).toBeGreaterThan(atSwitch + 150);
  await expect(page.getByTestId('simulator-state')).toHaveText('running');
  await shot('simulator-wire-format-1280');
  await page.getByRole('button', { name: 'Stop traffic' }).click();
  await expect(page.getByTestId('simulator-state')).toHaveText('stopped', { timeout: 20_000 });
});

test('click v3 is refused by the registry, and the page says why', async () => {
  await page
    .getByTestId('wire-format')
    .getByRole('button', { name: 'Try click schema v3' })
    .click();
  const refused = page.getByTestId('schema-v3-refused');
  await expect(refused).toBeVisible({ timeout: 15_000 });
  await expect(refused).toContainText(
    `The schema registry refused the schema for ${subject} (409)`,
  );
  // The registry's own reason follows the status.
  expect(((await refused.textContent()) ?? '').split('(409): ')[1]?.trim().length).toBeGreaterThan(
    5,
  );
  await expect(page.getByTestId('simulator-state')).toHaveText('stopped');
});

test('the admin schema panel: subjects, versions, compatibility, messages per version', async () => {
  await page.goto('/admin');
  const panel = page.getByTestId('schema-panel');
  const subjects = panel.getByTestId('schema-subjects');
  await expect(subjects.locator(`tr[data-subject="${subject}"][data-version="1"]`)).toBeVisible({
    timeout: 15_000,
  });
  await expect(subjects.locator(`tr[data-subject="${subject}"][data-version="2"]`)).toBeVisible();
  await expect(subjects.locator(`tr[data-subject="${subject}"]`).first()).toContainText(
    'FULL_TRANSITIVE',
  );
  await expect(subjects).not.toContainText('v3');
  // The worker counted the Avro clicks of both versions (the panel refreshes every 5 s).
  const counts = panel.getByTestId('schema-counts');
  for (const version of ['1', '2']) {
    await expect(
      counts.locator(
        `tr[data-topic="${E2E.clicksTopic}"][data-encoding="avro"][data-version="${version}"]`,
      ),
    ).toBeVisible({ timeout: 30_000 });
  }
  await expect(counts).toContainText(`${subject} v2`);
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: 'test-results/screenshots/admin-schemas-1280.png',
    fullPage: true,
  });
});

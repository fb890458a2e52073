// The simulator's channel mix on its page: presets switch the mix (and campaign traffic off for the
// original generator's plain URLs), the server refuses a bad mix with its message, and the live
// status names the mix that runs and counts the clicks it sent per channel. Leaves no traffic
// running. Screenshots at 1280 and 1920 px wide.
import { expect, test, type Page } from '@playwright/test';
import { E2E } from './support/e2e-stack.ts';

test.describe.configure({ mode: 'serial' });

let page: Page;
const bearer = { authorization: `Bearer ${E2E.adminToken}` };

async function shot(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/** Clicks sent per channel, as the live status shows them. */
async function sentByChannel(): Promise<Record<string, number>> {
  const items = page.getByTestId('simulator-channel-mix').locator('li[data-value]');
  const out: Record<string, number> = {};
  for (const item of await items.all()) {
    const id = (await item.getAttribute('data-testid'))!.replace('simulator-channel-mix-', '');
    out[id] = Number(await item.getAttribute('data-value'));
  }
  return out;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

async function startAndSee(preset: string, name: string): Promise<void> {
  const settings = page.getByRole('form', { name: 'Live traffic settings' });
  await settings.getByRole('button', { name: 'Start traffic' }).click();
  await expect(page.getByTestId('simulator-state')).toHaveText('running', { timeout: 20_000 });
  const status = page.getByTestId('simulator-channel-mix');
  await expect(status).toHaveAttribute('data-preset', preset);
  await expect(page.getByTestId('simulator-channel-mix-name')).toHaveText(name);
  await expect
    .poll(async () => total(await sentByChannel()), { timeout: 20_000 })
    .toBeGreaterThan(300);
}

async function stop(): Promise<void> {
  await page.getByRole('button', { name: 'Stop traffic' }).click();
  await expect(page.getByTestId('simulator-state')).toHaveText('stopped', { timeout: 20_000 });
}

test.beforeAll(async ({ browser, request }, testInfo) => {
  const { baseURL, viewport } = testInfo.project.use;
  // Another spec's traffic (or a run interrupted earlier) would hold the simulator.
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
  await page.close();
});

test('the server refuses a bad channel mix with a message naming it', async ({ request }) => {
  for (const [channelMix, message] of [
    [{ tv: 1 }, 'channelMix.tv: unknown channel "tv"'],
    [{ direct: 0 }, 'channelMix: the weights must not all be 0'],
    ['organic', 'channelMix: unknown preset "organic"'],
  ] as const) {
    const response = await request.post('/api/simulator/start', {
      data: { channelMix },
      headers: bearer,
    });
    expect(response.status(), JSON.stringify(channelMix)).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(message);
  }

  // From the page: a negative weight comes back as the server's message; nothing starts.
  const mix = page.getByTestId('channel-mix');
  await mix.getByRole('button', { name: 'Paid-heavy' }).click();
  await mix.getByLabel(/^Email/).fill('-5');
  await expect(mix).toHaveAttribute('data-preset', 'custom');
  await page.getByRole('button', { name: 'Start traffic' }).click();
  await expect(page.getByTestId('action-error')).toContainText('channelMix.email');
  await expect(page.getByTestId('simulator-state')).toHaveText('stopped');
});

test('plain URLs (the original generator): campaign traffic off, every click direct', async () => {
  const mix = page.getByTestId('channel-mix');
  await page.getByRole('form', { name: 'Live traffic settings' }).getByLabel(/^Rate/).fill('60');
  await mix.getByRole('button', { name: 'Plain URLs (original generator)' }).click();
  await expect(mix).toHaveAttribute('data-preset', 'plain');
  await expect(mix.getByRole('checkbox', { name: 'Campaign traffic' })).not.toBeChecked();
  await expect(mix.getByLabel(/^Paid search/)).toHaveCount(0);

  await startAndSee('plain', 'Plain URLs (original generator)');
  const counts = await sentByChannel();
  expect(Object.keys(counts)).toEqual(['direct']);
  await stop();
});

test('the paid-heavy preset takes effect: the status names it and counts paid clicks', async () => {
  const mix = page.getByTestId('channel-mix');
  await mix.getByRole('checkbox', { name: 'Campaign traffic' }).check();
  await expect(mix).toHaveAttribute('data-preset', 'balanced');
  await mix.getByRole('button', { name: 'Paid-heavy' }).click();
  await expect(mix).toHaveAttribute('data-preset', 'paid-heavy');
  await expect(mix.getByRole('button', { name: 'Paid-heavy' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(mix.getByLabel(/^Paid search/)).toHaveValue('30');

  await startAndSee('paid-heavy', 'Paid-heavy');
  // The mix is locked while it runs.
  await expect(mix.getByRole('button', { name: 'Balanced' })).toBeDisabled();
  const counts = await sentByChannel();
  const clicks = total(counts);
  // 30% paid search and 20% paid social, 15% direct: far from the plain run's 100% direct.
  expect(counts.paid_search! / clicks).toBeGreaterThan(0.15);
  expect(counts.paid_social! / clicks).toBeGreaterThan(0.08);
  expect(counts.direct! / clicks).toBeLessThan(0.35);
  for (const width of [1280, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await shot(`simulator-channels-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await stop();
});

test('a custom mix: the weights typed are what is sent', async () => {
  const mix = page.getByTestId('channel-mix');
  await mix.getByRole('button', { name: 'Balanced' }).click();
  for (const label of [
    'Direct',
    'Organic search',
    'Paid search',
    'Display',
    'Paid social',
    'Organic social',
    'Affiliate',
    'Referral',
  ]) {
    await mix.getByLabel(new RegExp(`^${label}`)).fill('0');
  }
  await mix.getByLabel(/^Email/).fill('1');
  await expect(mix).toHaveAttribute('data-preset', 'custom');
  await startAndSee('custom', 'Custom');
  expect(Object.keys(await sentByChannel())).toEqual(['email']);
  await stop();
});

// Every page at the widths people use (1280 and 1920 px), signed in so every column and panel is
// there: a screenshot of each (attached to the report and saved under
// test-results/screenshots/layout/), and no horizontal overflow: neither the document nor any
// card of the main content is wider than the room it has. And the checkout table's last column
// ("Row") stays inside its card and the window at 1440 and 1280 px, on rows with the widest
// content a row can have (long ids, every badge).
import { expect, test, type Page } from '@playwright/test';
import {
  removeAttributionSeed,
  seedAttribution,
  type AttributionSeed,
} from './support/attribution-seed.ts';
import { E2E } from './support/e2e-stack.ts';
import { deleteWideCheckouts, insertWideCheckouts } from './support/wide-checkouts.ts';

test.describe.configure({ mode: 'serial' });

let seed: AttributionSeed | undefined;
let wide: string[] = [];

test.beforeAll(async () => {
  seed = await seedAttribution();
  wide = await insertWideCheckouts();
});

test.afterAll(async () => {
  if (seed) await removeAttributionSeed(seed);
  await deleteWideCheckouts(wide);
});

async function signIn(page: Page): Promise<void> {
  await page.goto('/signin?next=/');
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Admin token').fill(E2E.adminToken);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('session-badge')).toContainText('Signed in');
}

/** What overflows sideways: the document, or a card (or table card) of the main content. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) {
      found.push(`document ${doc.scrollWidth} > ${doc.clientWidth}`);
    }
    const main = document.querySelector('main');
    if (main) {
      const box = main.getBoundingClientRect();
      if (main.scrollWidth > main.clientWidth + 1) {
        found.push(`main ${main.scrollWidth} > ${main.clientWidth}`);
      }
      for (const el of main.querySelectorAll<HTMLElement>('.card, section, table')) {
        const r = el.getBoundingClientRect();
        const name = `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}.${el.className}`;
        if (el.scrollWidth > el.clientWidth + 1) {
          found.push(`${name}: scrolls (${el.scrollWidth} > ${el.clientWidth})`);
        }
        if (r.right > box.right + 1) found.push(`${name}: right edge ${r.right} > ${box.right}`);
      }
    }
    return found;
  });
}

for (const width of [1280, 1920]) {
  test(`every page at ${width} px: a screenshot, and nothing overflows sideways`, async ({
    page,
  }, testInfo) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page);
    const pages: [string, string][] = [
      ['dashboard', '/'],
      ['simulator', '/simulator'],
      ['checkouts', '/checkouts'],
      ['checkout', `/checkouts/${seed!.checkoutId}`],
      ['attribution', '/attribution'],
      ['admin', '/admin'],
      ['signin', '/signin'],
    ];
    const problems: string[] = [];
    for (const [name, path] of pages) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expect(page.getByTestId('live-status')).toHaveText('live', { timeout: 10_000 });
      // Charts measure their box after the first paint.
      await page.waitForTimeout(500);
      for (const p of await overflowing(page)) problems.push(`${path} at ${width}px: ${p}`);
      const file = `test-results/screenshots/layout/${name}-${width}.png`;
      await page.evaluate(() => window.scrollTo(0, 0));
      const png = await page.screenshot({ path: file, fullPage: true });
      await testInfo.attach(`${name}-${width}`, { body: png, contentType: 'image/png' });
    }
    expect(problems).toEqual([]);
  });
}

for (const width of [1440, 1280]) {
  test(`the checkout table's last column is inside its card and the window at ${width} px`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page);
    await page.goto('/checkouts?limit=200');
    const table = page.getByTestId('checkout-table');
    // The wide rows are the newest: they head the first page.
    await expect(table.locator(`[data-checkout-id="${wide[0]}"]`)).toBeVisible();
    const last = table.locator('thead th').last();
    await expect(last).toHaveText('Row');
    const cell = await last.boundingBox();
    const card = await page.locator('.table-card').boundingBox();
    expect(cell).not.toBeNull();
    expect(cell!.x).toBeGreaterThanOrEqual(0);
    expect(cell!.x + cell!.width).toBeLessThanOrEqual(width);
    // Inside the card's visible box too: a table wider than its card would scroll the column
    // out of sight while its box still fits in the window.
    expect(cell!.x + cell!.width).toBeLessThanOrEqual(card!.x + card!.width);
    const scrolls = await page
      .locator('.table-card')
      .evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(scrolls).toBeLessThanOrEqual(0);
    // And every row's last cell (the badges) too.
    for (const box of await table
      .locator('tbody tr td:last-child')
      .evaluateAll((cells) => cells.map((c) => c.getBoundingClientRect().right))) {
      expect(box).toBeLessThanOrEqual(card!.x + card!.width);
    }
    await page.screenshot({ path: `test-results/screenshots/layout/checkouts-wide-${width}.png` });
  });
}

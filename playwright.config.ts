// Browser tests against the production build, in Debian's Chromium (no Playwright browser
// download: the network is closed). `npm run build` must have run first; the test runner does it.
import { defineConfig } from '@playwright/test';

const E2E_PORT = 3100;
const baseURL = `http://localhost:${E2E_PORT}`;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const inCI = Boolean(process.env.CI);

export default defineConfig({
  testDir: 'e2e',
  // Playwright empties its outputDir at the start of a run: a subfolder of its own, so the other
  // suites' reports in test-results/ survive. Screenshots the tests take go to
  // test-results/screenshots/ (overwritten each run).
  outputDir: 'test-results/playwright',
  // One worker: the machine is small and the server, Chromium and the tests share it.
  workers: 1,
  forbidOnly: inCI,
  retries: inCI ? 1 : 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        // With no network, Chromium's own background traffic (updates, sync, safe browsing)
        // fills the log with refused connections.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    // Production mode (no --dev): serves the output of `next build`.
    command: 'npx tsx server.ts',
    url: `${baseURL}/api/health`,
    env: { PORT: String(E2E_PORT) },
    reuseExistingServer: !inCI,
    timeout: 60_000,
    stdout: 'pipe',
    // Exercise the server's own shutdown path instead of a SIGKILL of the process group.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
  },
});

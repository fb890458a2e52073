// Browser tests against the production build, in Debian's Chromium (no Playwright browser
// download: the network is closed), on a pipeline of their own: Playwright starts, in order, the
// e2e database (recreated and migrated), one speed-layer worker, the jobs worker (the lake export
// and the models started from the admin page run there, never in the web server) and the web
// server, all on the e2e topics, groups and ports of e2e/support/e2e-stack.ts, and stops them in
// reverse order.
// `npm run build` must have run first; the test runner does it.
import { defineConfig } from '@playwright/test';
import { loadConfig } from './lib/config.ts';
import { E2E, e2eEnvironment } from './e2e/support/e2e-stack.ts';

/** The browser tests' lake; the admin specs empty `data/e2e` (lake and warehouse) first. */
const E2E_LAKE_URI = 'data/e2e/lake';

const baseURL = `http://localhost:${E2E.webPort}`;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const inCI = Boolean(process.env.CI);
// The broker and database server come from .env.local (what `npm run stack:up` started). The
// lake (and the models' warehouse beside it) is the tests' own too, never the demo's.
const { DATABASE_URL, WEB_DATABASE_URL } = loadConfig();
const e2eEnv = { ...e2eEnvironment(DATABASE_URL, WEB_DATABASE_URL), LAKE_URI: E2E_LAKE_URI };
// Exercise each process's own shutdown path instead of a SIGKILL of the process group.
const gracefulShutdown = { signal: 'SIGTERM', timeout: 15_000 } as const;

export default defineConfig({
  testDir: 'e2e',
  // Playwright empties its outputDir at the start of a run: a subfolder of its own, so the other
  // suites' reports in test-results/ survive. Screenshots the tests take go to
  // test-results/screenshots/ (overwritten each run).
  outputDir: 'test-results/playwright',
  // One worker: the machine is small and the server, Chromium and the tests share it. Files run
  // in name order; the live-pipeline file depends on that (see its header).
  workers: 1,
  forbidOnly: inCI,
  retries: inCI ? 1 : 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  // The batch-layer specs (admin-*) make traffic, and home.spec.ts needs none yet: they run after
  // the platform's files. Run one of them alone with `--no-deps`.
  projects: [
    { name: 'platform', testIgnore: /admin-[^/]*\.spec\.ts$/ },
    { name: 'batch', testMatch: /admin-[^/]*\.spec\.ts$/, dependencies: ['platform'] },
  ],
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
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
  webServer: [
    {
      name: 'e2e database',
      command: 'node --import tsx e2e/support/e2e-database.ts',
      url: `http://127.0.0.1:${E2E.databaseReadyPort}/`,
      reuseExistingServer: !inCI,
      timeout: 60_000,
      stdout: 'pipe',
      gracefulShutdown,
    },
    {
      name: 'worker',
      command: 'node --import tsx workers/main.ts',
      url: `http://127.0.0.1:${E2E.workerMetricsPort}/healthz`,
      env: { ...e2eEnv, METRICS_PORT: String(E2E.workerMetricsPort) },
      reuseExistingServer: !inCI,
      timeout: 90_000,
      stdout: 'pipe',
      gracefulShutdown,
    },
    {
      name: 'jobs',
      command: 'node --import tsx workers/jobs/main.ts',
      url: `http://127.0.0.1:${E2E.jobsPort}/healthz`,
      env: { ...e2eEnv, JOBS_PORT: String(E2E.jobsPort) },
      reuseExistingServer: !inCI,
      timeout: 90_000,
      stdout: 'pipe',
      gracefulShutdown,
    },
    {
      name: 'web',
      // Production mode (no --dev): serves the output of `next build`.
      command: 'npx tsx server.ts',
      url: `${baseURL}/api/health`,
      env: { ...e2eEnv, PORT: String(E2E.webPort) },
      reuseExistingServer: !inCI,
      timeout: 60_000,
      stdout: 'pipe',
      gracefulShutdown,
    },
  ],
});

import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration tests talk to the real Kafka and
// PostgreSQL that `scripts/run-tests.ts` starts, so they run one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', 'node_modules/**', 'e2e/**', '.stack/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.integration.test.ts'],
          exclude: ['node_modules/**', '.stack/**'],
          fileParallelism: false,
          // On a shared CI machine one retry, as Playwright has; `npm test` names every test a
          // retry made good ("flaky"), so a wobble is reported, never hidden.
          retry: process.env.CI ? 1 : 0,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

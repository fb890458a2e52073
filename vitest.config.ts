import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration tests talk to the real Kafka and
// PostgreSQL that `scripts/run-tests.ts` starts, so they run one file at a time.
// Tests live beside the code (`*.test.ts`) and in test/. Not ours: installed packages, and the
// packages `next build` copies into .next/node_modules with their own test files.
const notOurs = ['**/node_modules/**', '.next/**', '.stack/**', '.venv/**', 'data/**'];

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', ...notOurs, 'e2e/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.integration.test.ts'],
          exclude: notOurs,
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

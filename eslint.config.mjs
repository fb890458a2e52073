// Lint rules for the whole repository: ESLint's and typescript-eslint's recommended sets (no
// type-aware rules, so linting stays fast and needs no build). Generated and vendored trees are
// ignored.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// One import style: a relative path that names the file, extension included (what Node, tsx,
// vitest and Next all resolve the same way). No `@/` alias, no extensionless path.
const importStyle = [
  { regex: '^@/', message: 'Import by relative path with the extension (./x.ts).' },
  {
    regex: '^\\.{1,2}/(?!.*\\.(ts|tsx|css|json|js|mjs)$)',
    message: 'Name the file with its extension (./x.ts, ./X.tsx).',
  },
];

/** A relative import that climbs out of the folder into one of `folders` (top level). */
const into = (folders, why) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})/`,
  message: why,
});

// Dependencies point down (docs/design.md, "Layout"): app/ and components/ use lib/; workers/
// use lib/; lib/ imports nothing above it; nothing that ships imports test code. Tests may
// reach anywhere. (A later config object replaces the rule's options, so each repeats the style.)
const shipping = (files, folders, why) => ({
  files,
  ignores: ['**/*.test.ts', '**/*.test.tsx'],
  rules: {
    'no-restricted-imports': ['error', { patterns: [...importStyle, into(folders, why)] }],
  },
});
const layers = [
  shipping(
    ['lib/**/*.{ts,tsx}'],
    ['workers', 'app', 'components', 'scripts', 'test', 'e2e', 'bench', 'deploy'],
    'lib/ is the bottom layer: it imports nothing above it (move the contract down into lib/).',
  ),
  shipping(
    ['workers/**/*.{ts,tsx}'],
    ['app', 'components', 'scripts', 'test', 'e2e', 'bench'],
    'workers/ depend on lib/ only (shared code goes down into lib/; test code stays in test/).',
  ),
  shipping(
    ['components/**/*.{ts,tsx}'],
    ['workers', 'app', 'scripts', 'test', 'e2e', 'bench'],
    'components/ depend on lib/ only (contracts live in lib/).',
  ),
  shipping(
    ['app/**/*.{ts,tsx}', 'server.ts'],
    ['workers', 'scripts', 'test', 'e2e', 'bench'],
    'the web app reads and enqueues through lib/; jobs run in workers/.',
  ),
  shipping(
    ['scripts/**/*.{ts,tsx}'],
    ['test', 'e2e', 'bench'],
    'scripts/ wire shipping code; test fixtures stay in test/.',
  ),
];

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '.next/**',
      '.stack/**',
      '.build/**',
      '.venv/**',
      '.venv-peers/**',
      'lib/generated/**',
      'data/**',
      'dbt/**',
      'test-results/**',
      'playwright-report/**',
      'bench/results/**',
      'next-env.d.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names mark a deliberately unused argument or binding.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': ['error', { patterns: importStyle }],
    },
  },
  ...layers,
  {
    // Plain JavaScript run by Node (config files, bootstrap scripts).
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
);

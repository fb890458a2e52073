// Lint rules for the whole repository: ESLint's and typescript-eslint's recommended sets (no
// type-aware rules, so linting stays fast and needs no build). Generated and vendored trees are
// ignored.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '.next/**',
      '.stack/**',
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
      // One import style: a relative path that names the file, extension included (what Node,
      // tsx, vitest and Next all resolve the same way). No `@/` alias, no extensionless path.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@/', message: 'Import by relative path with the extension (./x.ts).' },
            {
              regex: '^\\.{1,2}/(?!.*\\.(ts|tsx|css|json|js|mjs)$)',
              message: 'Name the file with its extension (./x.ts, ./X.tsx).',
            },
          ],
        },
      ],
    },
  },
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

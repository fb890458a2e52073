// No test code ships: the folders that make the product (app/, components/, lib/, workers/,
// scripts/, server.ts) hold no test harness, fixture or test-support file, and none of their
// non-test files imports from test/, e2e/ or a test file. Test files beside the code (*.test.ts)
// may import anything. (Which layer may import which is the linter's job: eslint.config.mjs.)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../lib/config.ts';

const SHIPPING = ['app', 'components', 'lib', 'workers', 'scripts', 'server.ts'];
const SKIP_DIRS = new Set(['node_modules', '.next', 'generated']);
const TEST_FILE = /\.(test|spec)\.(ts|tsx|mts|js|mjs)$|(^|[/_])test_[^/]*\.py$|_test\.py$/;
const TEST_HELPER_NAME =
  /test-harness|test-support|test-helpers?|fixtures?(?![a-z])|^worker-process\./i;
const SOURCE = /\.(ts|tsx|mts|js|mjs|cjs)$/;
// Static imports and re-exports, dynamic import(), require().
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"]+)\1/g;

function* filesUnder(root: string, entry: string): Generator<string> {
  const full = path.join(root, entry);
  let entries;
  try {
    entries = readdirSync(full, { withFileTypes: true });
  } catch {
    yield entry; // a file (server.ts), or nothing there
    return;
  }
  for (const e of entries) {
    if (e.isDirectory() && SKIP_DIRS.has(e.name)) continue;
    yield* filesUnder(root, path.join(entry, e.name));
  }
}

/** Every way test code sits in the shipping folders of the tree at `root`, one line each. */
function testCodeInShippingFolders(root: string): string[] {
  const problems: string[] = [];
  for (const top of SHIPPING) {
    for (const file of filesUnder(root, top)) {
      let text: string;
      try {
        text = readFileSync(path.join(root, file), 'utf8');
      } catch {
        continue; // server.ts absent in a partial tree
      }
      if (TEST_FILE.test(file)) continue;
      for (const part of file.split(path.sep)) {
        if (TEST_HELPER_NAME.test(part)) {
          problems.push(`${file}: a test helper's name (${part}) in a shipping folder`);
          break;
        }
      }
      if (!SOURCE.test(file)) continue;
      for (const [, , spec] of text.matchAll(SPECIFIER)) {
        if (!spec!.startsWith('.')) continue;
        const target = path.relative(root, path.resolve(root, path.dirname(file), spec!));
        const top = target.split(path.sep)[0];
        if (top === 'test' || top === 'e2e' || TEST_FILE.test(target)) {
          problems.push(`${file}: imports test code (${spec})`);
        }
      }
    }
  }
  return problems;
}

describe('test code in shipping folders', () => {
  it('finds none in this repository', () => {
    expect(testCodeInShippingFolders(projectRoot)).toEqual([]);
  });

  it('finds harnesses, fixtures and imports of test code (a tree made to fail)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'shipping-'));
    try {
      const put = (file: string, text = '') => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), text);
      };
      put('workers/speed/test-harness.ts');
      put('workers/lake/test-support/env.ts');
      put('workers/models/lake-fixture/write_lake_fixture.py');
      put('lib/domain/engine-fixtures.ts');
      put('scripts/models.ts', "import { b } from '../test/models/build.ts';\n");
      put('lib/web/x.ts', "export { y } from '../domain/y.test.ts';\n");
      put('app/page.tsx', "const m = await import('../e2e/helpers.ts');\n");
      put('server.ts', "import { z } from './test/z.ts';\n");
      // Allowed: tests beside the code import anything; the names of ordinary modules.
      put('workers/speed/sink.test.ts', "import { h } from '../../test/speed/test-harness.ts';\n");
      put('lib/domain/attribution-rule.ts', "import { c } from './byte-order.ts';\n");
      put('test/speed/test-harness.ts');
      expect(testCodeInShippingFolders(root).sort()).toEqual(
        [
          'app/page.tsx: imports test code (../e2e/helpers.ts)',
          "lib/domain/engine-fixtures.ts: a test helper's name (engine-fixtures.ts) in a shipping folder",
          'lib/web/x.ts: imports test code (../domain/y.test.ts)',
          'scripts/models.ts: imports test code (../test/models/build.ts)',
          'server.ts: imports test code (./test/z.ts)',
          "workers/lake/test-support/env.ts: a test helper's name (test-support) in a shipping folder",
          "workers/models/lake-fixture/write_lake_fixture.py: a test helper's name (lake-fixture) in a shipping folder",
          "workers/speed/test-harness.ts: a test helper's name (test-harness.ts) in a shipping folder",
        ].sort(),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

// The lake export as `npm run lake:export` runs it: built into one module (scripts/build-worker.ts)
// and started with plain node, with worker threads too (their module is found from the project
// root, not from the bundle's place): the tables hold exactly the produced events.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLakeTestEnv,
  readWithDeltaRs,
  sorted,
  startExportChild,
  type LakeTestEnv,
} from '../test/lake/lake-test-env.ts';
import { buildLakeExport } from './build-worker.ts';

describe('the built lake export', () => {
  let env: LakeTestEnv;

  beforeAll(async () => {
    env = await createLakeTestEnv(3);
  }, 300_000);

  afterAll(async () => {
    await env?.cleanup();
  });

  it('exports every produced event once, on two worker threads', async () => {
    await env.produce(2000);
    const run = startExportChild(env.childEnv, ['--threads', '2'], await buildLakeExport());
    expect(await run.exited, run.output()).toBe(0);
    // A thread that cannot load its module is no failure (the export runs on one thread, with a
    // warning in its result): only the warning tells.
    expect(run.output()).toMatch(/^result: /m);
    expect(run.output()).not.toMatch(/worker threads unavailable/);
    const clicks = await readWithDeltaRs(env.python, path.join(env.lakeDir, 'clicks'), {
      columns: ['click_id'],
    });
    expect(sorted(clicks.rows!.map((r) => r[0] as string))).toEqual(sorted(env.expected.clickIds));
  }, 300_000);
});

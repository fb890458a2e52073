// The lake export as `npm run lake:export` runs it: built into one module (scripts/build-worker.ts)
// and started with plain node, with worker threads too (they run the thread bundle built beside
// it): the tables hold exactly the produced events.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLakeTestEnv,
  readWithDeltaRs,
  sorted,
  startExportChild,
  type LakeTestEnv,
} from '../test/lake/lake-test-env.ts';
import { buildLakeExport, LAKE_EXPORT_BUNDLE, LAKE_SINK_THREAD_BUNDLE } from './build-worker.ts';
import { threadBundleBeside } from '../workers/lake/topic-sink-threads.ts';

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
    const bundle = await buildLakeExport();
    // Bundled, the threads load their own bundle, not the sources through tsx.
    expect(threadBundleBeside(bundle)).toBe(LAKE_SINK_THREAD_BUNDLE);
    expect(threadBundleBeside(path.join(import.meta.dirname, 'lake-export.ts'))).toBeUndefined();
    expect(bundle).toBe(LAKE_EXPORT_BUNDLE);
    const run = startExportChild(env.childEnv, ['--threads', '2'], bundle);
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

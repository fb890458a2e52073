// The speed worker as `npm run workers` runs it: built into one module (scripts/build-worker.ts)
// and started with plain node, it attributes a live checkout, and stops cleanly on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPrismaOn } from '../lib/db/client.ts';
import { seedReferenceData } from '../lib/simulator/traffic.ts';
import {
  clickThenCheckout,
  createSpeedTestEnv,
  produceKeyless,
  waitForSink,
  type SpeedTestEnv,
} from '../test/speed/test-harness.ts';
import { WorkerProcess } from '../test/speed/worker-process.ts';
import { buildWorker } from './build-worker.ts';

describe('the built speed worker', () => {
  let env: SpeedTestEnv;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    env = await createSpeedTestEnv();
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 5, products: 5 }));
  }, 60_000);

  afterAll(async () => {
    await worker?.kill();
    await env?.cleanup();
  });

  it('attributes a checkout to its click and stops on SIGTERM', async () => {
    worker = new WorkerProcess(env.childEnv, await buildWorker());
    worker.start();
    await produceKeyless(
      env.kafka,
      clickThenCheckout(env, {
        id: 'built-checkout',
        userId: 2,
        productId: 'p-1',
        at: Date.now(),
        url: 'https://shop.example.com/?utm_source=newsletter&utm_medium=email',
      }),
    );
    const rows = await waitForSink(env.pool, (r) => r.has('built-checkout'), 90_000).catch(
      (error: unknown) => {
        throw new Error(
          `${String(error)}\nworker output:\n${worker!.output.join('').slice(-3000)}`,
        );
      },
    );
    expect(rows.get('built-checkout')?.click_id).toBe('click-built-checkout');
    await worker.kill('SIGTERM');
    expect(worker.output.join('')).toMatch(/stopping \(flushing rows and a last snapshot\)/);
  }, 120_000);
});

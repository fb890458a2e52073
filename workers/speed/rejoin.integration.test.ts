// A worker that is frozen past its session timeout is dropped from the group; another worker
// takes its partitions over and moves them on. When it wakes up it rejoins as a new member and
// may get the same partitions back: the state it holds in memory is stale by then, and only a
// reload from the snapshots keeps the rows exact.
import { afterEach, describe, it } from 'vitest';
import { seedReferenceData } from '../../lib/simulator/traffic.ts';
import { withPrismaOn } from '../../lib/db/client.ts';
import {
  createSpeedTestEnv,
  expectRuleRows,
  produceKeyless,
  ruleStream,
  watermarkPusher,
  type SpeedTestEnv,
} from '../../test/speed/test-harness.ts';
import { WorkerProcess } from '../../test/speed/worker-process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rejoining the group', () => {
  let env: SpeedTestEnv | undefined;
  const workers: WorkerProcess[] = [];

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      w.signal('SIGCONT');
      await w.kill();
    }
    await env?.cleanup();
    env = undefined;
  });

  it('reloads partitions from their snapshots after being dropped from the group', async () => {
    env = await createSpeedTestEnv({
      SNAPSHOT_INTERVAL_MS: '300',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    });
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 30, products: 6 }));
    const messages = ruleStream(env, 31, 3);
    const first = new WorkerProcess(env.childEnv);
    const second = new WorkerProcess(env.childEnv);
    workers.push(first, second);
    first.start();
    second.start();
    const third = Math.ceil(messages.length / 3);
    await produceKeyless(env.kafka, messages.slice(0, third));
    await sleep(10_000);
    // Frozen past the session timeout: the second worker takes everything over.
    first.signal('SIGSTOP');
    await produceKeyless(env.kafka, messages.slice(third, 2 * third));
    await sleep(15_000);
    first.signal('SIGCONT');
    await sleep(10_000);
    await produceKeyless(env.kafka, messages.slice(2 * third));
    await produceKeyless(env.kafka, [watermarkPusher(env)]);
    await expectRuleRows(env, messages, 90_000);
  }, 240_000);
});

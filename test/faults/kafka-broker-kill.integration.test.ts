// Fault 4: the Kafka broker is killed with SIGKILL (no controlled shutdown: the next start
// recovers its logs) while the load flows, and started again 7 s later. Producers, consumers and
// the group coordinator all vanish at once; the workers must ride it out without a restart,
// resume from committed offsets and snapshots, and end with exactly the rule's rows.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectExactOutcome } from './rig/assert.ts';
import { closeScenario, drainAndJudge, openScenario, type FaultScenario } from './rig/scenario.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: Kafka broker killed and started', () => {
  let s: FaultScenario | undefined;
  let failed = false;

  beforeAll(async () => {
    s = await openScenario('kafka-broker-kill', 404);
  }, 180_000);

  afterAll(async () => {
    await closeScenario(s, failed);
  }, 120_000);

  it('ends with exactly the rule rows after kill -9 of the broker', async ({ onTestFailed }) => {
    onTestFailed(() => {
      failed = true;
    });
    const load = s!.load.run(400);
    await sleep(12_000);
    s!.load.duplicatesPossible = true;
    await s!.services.killBroker();
    s!.log('broker killed (SIGKILL)');
    await sleep(7_000);
    await s!.services.startBroker();
    s!.log('broker started again');
    await load;

    expectExactOutcome(await drainAndJudge(s!));
  }, 300_000);
});

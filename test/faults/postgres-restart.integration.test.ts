// Fault 3: PostgreSQL itself goes away: `pg_ctl stop -m immediate` (a crash: the next start runs
// recovery) while the load flows, started again 7 s later. The workers keep consuming Kafka
// meanwhile; their writes must wait and retry (not crash, not skip), and the sink must end
// exactly as the rule says.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectExactOutcome } from './rig/assert.ts';
import { closeScenario, drainAndJudge, openScenario, type FaultScenario } from './rig/scenario.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: PostgreSQL stopped and started', () => {
  let s: FaultScenario | undefined;
  let failed = false;

  beforeAll(async () => {
    s = await openScenario('postgres-restart', 303);
  }, 180_000);

  afterAll(async () => {
    await closeScenario(s, failed);
  }, 120_000);

  it('ends with exactly the rule rows after the database crashes and comes back', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => {
      failed = true;
    });
    const load = s!.load.run(400);
    await sleep(12_000);
    await s!.services.stopDatabase('immediate');
    s!.log('PostgreSQL stopped (immediate)');
    await sleep(7_000);
    await s!.services.startDatabase();
    s!.log('PostgreSQL started again');
    await load;

    expectExactOutcome(await drainAndJudge(s!));
  }, 300_000);
});

// Fault 2: every database connection of the workers (application_name LIKE 'clickstream%') is
// terminated with pg_terminate_backend, in eight bursts of 1.5 s while the load flows. Sink
// flushes, snapshots, dead-letter inserts and the users LISTEN connection all lose their sessions
// mid-work; the workers must reconnect and retry, not crash, and end with exactly the rule's rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectExactOutcome } from './rig/assert.ts';
import { closeScenario, drainAndJudge, openScenario, type FaultScenario } from './rig/scenario.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Terminates the workers' connections again and again for `ms`, so that work in flight (a sink
 * flush, a snapshot transaction, a reconnect) is hit too, not only idle pool connections.
 */
async function terminateBurst(s: FaultScenario, ms: number) {
  const total = { terminated: 0, busy: 0 };
  for (const end = Date.now() + ms; Date.now() < end;) {
    const { terminated, busy } = await s.services.terminateConnections('clickstream%');
    total.terminated += terminated;
    total.busy += busy;
    await sleep(20);
  }
  return total;
}

describe('fault: database connections terminated', () => {
  let s: FaultScenario | undefined;
  let failed = false;

  beforeAll(async () => {
    s = await openScenario('connections-terminated', 202);
  }, 180_000);

  afterAll(async () => {
    await closeScenario(s, failed);
  }, 120_000);

  it('ends with exactly the rule rows after the workers lose every connection eight times', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => {
      failed = true;
    });
    const load = s!.load.run(400);
    const rounds: { terminated: number; busy: number }[] = [];
    for (let round = 1; round <= 8; round++) {
      await sleep(3_500);
      rounds.push(await terminateBurst(s!, 1_500));
      const { terminated, busy } = rounds.at(-1)!;
      s!.log(`round ${round}: terminated ${terminated} worker connections (${busy} busy)`);
    }
    await load;

    const v = await drainAndJudge(s!);
    // The fault must have hit something each time, or the test proves nothing.
    expect(
      rounds.every((r) => r.terminated > 0) && rounds.some((r) => r.busy > 0),
      `connections terminated per round: ${JSON.stringify(rounds)}`,
    ).toBe(true);
    expectExactOutcome(v);
  }, 300_000);
});

// Fault 1, a poison stream: valid traffic mixed with messages that are strange but valid (user ids
// past 32 bits and negative, an amount of 15 digits) and bad ones (year 0000, a +01:00 offset
// into year 0, 19 decimals, an unsafe integer, tombstones, broken JSON), then a click dated 2099
// followed by silence on every source for longer than the idle timeout, then more traffic. The
// far-future click must be dead-lettered and must not drag the idle stamps (and so the
// watermark) to 2099: every later checkout is still attributed by the rule, on time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectExactOutcome } from './rig/assert.ts';
import { farFutureClick, poisonMessages } from './rig/poison-messages.ts';
import {
  IDLE_TIMEOUT_MS,
  closeScenario,
  drainAndJudge,
  openScenario,
  type FaultScenario,
} from './rig/scenario.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: poison stream', () => {
  let s: FaultScenario | undefined;
  let failed = false;

  beforeAll(async () => {
    s = await openScenario('poison-stream', 101);
  }, 180_000);

  afterAll(async () => {
    await closeScenario(s, failed);
  }, 120_000);

  it('dead-letters every bad message and attributes every checkout by the rule, before and after a far-future click', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => {
      failed = true;
    });
    const { load } = s!;
    await load.run(100);
    await load.sendCrafted(poisonMessages(load.maxEventTime));
    await load.run(100);
    await load.sendCrafted([farFutureClick()]);
    const before = new Set(load.checkouts.map((c) => c.checkoutId));
    s!.log(`far-future click sent; every source quiet for ${(5 * IDLE_TIMEOUT_MS) / 1000} s`);
    await sleep(5 * IDLE_TIMEOUT_MS);
    await load.run(150);

    const v = await drainAndJudge(s!);
    const after = v.sinkProblems.filter((p) => !before.has(p.slice(0, p.indexOf(': '))));
    s!.log(`${after.length} of the sink problems concern checkouts sent after the quiet spell`);

    const row = (id: string) => v.rows.get(id);
    expect.soft(row('poison-big-user'), 'user id 3000000000').toMatchObject({
      user_id: '3000000000',
      click_id: 'poison-big-user-click',
      is_unknown_user: true,
      user_name: '',
    });
    expect.soft(row('poison-negative-user'), 'user id -42').toMatchObject({
      user_id: '-42',
      click_id: 'poison-negative-user-click',
      is_unknown_user: true,
    });
    expect
      .soft(row('poison-huge-amount')?.total_amount, 'amount 100000000000000.01')
      .toBe('100000000000000.01');
    expect.soft(after.length, 'problems with checkouts after the far-future click').toBe(0);
    expectExactOutcome(v);
  }, 300_000);
});

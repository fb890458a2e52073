// `npm run models:sample-lake`: two days of generated traffic written as a lake at LAKE_URI, for
// trying the dbt models without the stack (then `npm run models`). A development tool built on the
// test fixtures, so it lives here and not in scripts/: the production CLI never imports fixtures.
// The speed layer's table holds what the speed layer answers for these on-time events.
import { existsSync } from 'node:fs';
import { loadConfig, projectRoot } from '../../../lib/config.ts';
import type { CheckoutRow } from '../../../lib/domain/partition-engine.ts';
import { userName } from '../../../lib/simulator/stream-generator.ts';
import { absoluteLakeUri } from '../../../workers/models/dbt-command.ts';
import { ensurePythonEnv, venvBin } from '../../../scripts/python-env.ts';
import { buildLakeFixture } from './build-lake-fixture.ts';
import { backfillStream } from './generated-stream.ts';
import { SpeedLayerAnswer } from './speed-layer-answer.ts';

const USERS = 100;

async function writeSampleLake(python: string, lakeUri: string): Promise<void> {
  const lake = absoluteLakeUri(lakeUri, projectRoot);
  if (existsSync(lake)) {
    throw new Error(`${lake} already exists; the sample lake is only written where no lake is`);
  }
  const end = Date.now();
  const answer = new SpeedLayerAnswer(60_000, (id) =>
    id >= 0 && id < USERS ? userName(id) : undefined,
  );
  const speedRows: CheckoutRow[] = [];
  let seen = 0;
  console.log(`[sample-lake] writing two days of generated traffic to ${lake}…`);
  const result = await buildLakeFixture({
    python,
    lakeUri: lake,
    messages: backfillStream({
      end,
      hours: 48,
      clicksPerSecond: 1,
      settings: { malformedShare: 0.001 },
    }),
    users: Array.from({ length: USERS }, (_, id) => ({ id, username: userName(id) })),
    onEvent: (e) => {
      if (e.topic === 'clicks') answer.addClick(e.click);
      else answer.addCheckout(e.checkout);
      if (++seen % 20_000 === 0) speedRows.push(...answer.settle());
    },
    speedRows: () => [...speedRows, ...answer.finish()],
    exportedAt: end,
  });
  console.log(
    `[sample-lake] ${result.clicks} clicks, ${result.checkouts} checkouts (${result.seconds.toFixed(1)} s); now: npm run models`,
  );
}

async function main(): Promise<void> {
  const config = loadConfig();
  await ensurePythonEnv();
  await writeSampleLake(venvBin('python'), config.LAKE_URI);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[sample-lake] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

// Faults of the lake export, with real child processes: SIGKILL at random points (while
// reading, while Parquet files are being written, between writing the files and committing, and
// between two table commits), then a full run: the tables hold every produced event exactly once.
// Two exports at once: with the lock the second refuses to start; without it the Delta log's
// put-if-absent lets one commit and the other stop, never a duplicate. Vacuum removes the orphans.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { projectRoot } from '../../lib/config.ts';
import { LAKE_TABLES } from '../../lib/lake/lake-tables.ts';
import { lakeSummary } from '../../lib/lake/table-history.ts';
import {
  createLakeTestEnv,
  readWithDeltaRs,
  sorted,
  startExportChild,
  type LakeTestEnv,
} from '../../test/lake/lake-test-env.ts';

let env: LakeTestEnv;
beforeAll(async () => {
  env = await createLakeTestEnv(3);
}, 300_000);
afterAll(async () => {
  await env?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Small files and row groups, so Parquet files are finished while the run is still reading. */
const smallFiles = ['--chunk-rows', '300', '--row-group-rows', '300', '--target-file-mb', '0.01'];

function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.parquet') && !f.includes('_delta_log'),
  );
}

/** Every table is readable and holds no Kafka offset twice; returns click ids. */
async function checkConsistent(): Promise<void> {
  for (const [table, cols] of [
    ['clicks', ['kafka_partition', 'kafka_offset']],
    ['checkouts', ['kafka_partition', 'kafka_offset']],
    ['dead_letters', ['topic', 'partition', 'offset']],
  ] as const) {
    const summary = await lakeSummary(env.lakeDir);
    if (!summary.find((s) => s.table === table)?.exists) continue;
    const read = await readWithDeltaRs(env.python, path.join(env.lakeDir, table), {
      columns: [...cols],
    });
    expect(new Set(read.rows!.map((r) => JSON.stringify(r))).size).toBe(read.num_rows);
  }
}

async function expectExactlyTheProducedEvents(): Promise<void> {
  const clicks = await readWithDeltaRs(env.python, path.join(env.lakeDir, 'clicks'), {
    columns: ['click_id'],
    countsAtVersions: true,
  });
  expect(sorted(clicks.rows!.map((r) => r[0] as string))).toEqual(sorted(env.expected.clickIds));
  const checkouts = await readWithDeltaRs(env.python, path.join(env.lakeDir, 'checkouts'), {
    columns: ['checkout_id'],
  });
  expect(sorted(checkouts.rows!.map((r) => r[0] as string))).toEqual(
    sorted(env.expected.checkoutIds),
  );
  const dead = await readWithDeltaRs(env.python, path.join(env.lakeDir, 'dead_letters'));
  expect(dead.num_rows).toBe(env.expected.deadLetters);
  await checkConsistent();
}

describe('lake export faults', () => {
  it('killed at random points and run again, holds every event exactly once', async () => {
    const killPoints: {
      name: string;
      args: string[];
      killWhen: (c: ReturnType<typeof startExportChild>) => Promise<void>;
    }[] = [
      {
        name: 'while reading',
        args: [],
        killWhen: async (c) => {
          await c.waitFor(/phase: reading/);
          await sleep(Math.floor(Math.random() * 150));
        },
      },
      {
        name: 'while writing parquet files',
        args: smallFiles,
        killWhen: async () => {
          const dir = path.join(env.lakeDir, 'clicks');
          const before = parquetFiles(env.lakeDir).length;
          const deadline = Date.now() + 60_000;
          while (Date.now() < deadline) {
            try {
              if (parquetFiles(dir).length + 0 > 0 && parquetFiles(env.lakeDir).length > before)
                return;
            } catch {
              // the table directory does not exist yet
            }
            await sleep(5);
          }
          throw new Error('no parquet file appeared');
        },
      },
      {
        name: 'between writing the files and committing',
        args: ['--pause-before-commit-ms', '5000'],
        killWhen: (c) => c.waitFor(/files written; pausing/),
      },
      {
        name: 'between two table commits',
        args: ['--pause-before-commit-ms', '1'],
        killWhen: (c) => c.waitFor(/committed clicks version/),
      },
    ];
    for (const point of killPoints) {
      await env.produce(1500 + Math.floor(Math.random() * 1000));
      const child = startExportChild(env.childEnv, point.args);
      await point.killWhen(child);
      child.child.kill('SIGKILL');
      const code = await child.exited;
      expect(code, `${point.name}: the export finished before it was killed`).toBeNull();
      await checkConsistent();
    }
    const rerun = startExportChild(env.childEnv, [...smallFiles, '--threads', '2']); // threaded path too
    expect(await rerun.exited, rerun.output()).toBe(0);
    await expectExactlyTheProducedEvents();

    // Each killed run was taken over by the next one (its process was gone: the same row, one
    // more attempt), and the last one finished it.
    const { rows } = await env.pool.query(
      `SELECT status, error, attempts FROM commerce.job_runs ORDER BY started_at`,
    );
    expect(rows).toEqual([{ status: 'succeeded', error: null, attempts: killPoints.length + 1 }]);
  });

  it('vacuum removes the files killed runs left behind, and nothing the tables reference', async () => {
    const summaryBefore = await lakeSummary(env.lakeDir);
    const referenced = summaryBefore.reduce((n, s) => n + s.files, 0);
    expect(parquetFiles(env.lakeDir).length).toBeGreaterThan(referenced); // orphans exist
    const vacuum = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/lake-vacuum.ts', '--retention-hours', '0'],
      {
        cwd: projectRoot,
        env: { ...process.env, ...env.childEnv },
        encoding: 'utf8',
      },
    );
    expect(vacuum.status, vacuum.stderr).toBe(0);
    expect(vacuum.stdout).toMatch(/clicks: deleted [1-9]\d* file/);
    expect(parquetFiles(env.lakeDir).length).toBe(referenced);
    await expectExactlyTheProducedEvents();
  });

  it('two exports at once: with the lock the second refuses to start', async () => {
    await env.produce(1000);
    // The first must still be running when the second has started (tsx takes seconds to start a
    // child on a loaded machine): it waits 15 s before committing.
    const first = startExportChild(env.childEnv, ['--pause-before-commit-ms', '15000']);
    await first.waitFor(/phase: reading/);
    const second = startExportChild(env.childEnv);
    expect(await second.exited).toBe(2);
    expect(second.output()).toMatch(/a lake export is already running \(run [0-9a-f-]+, started/);
    expect(await first.exited, first.output()).toBe(0);
    await expectExactlyTheProducedEvents();
  });

  it('two exports at once without the lock: one commits, the other stops; no duplicate, no corrupt log', async () => {
    await env.produce(2000);
    const a = startExportChild(env.childEnv, ['--no-lock']);
    const b = startExportChild(env.childEnv, ['--no-lock']);
    const codes = [await a.exited, await b.exited];
    expect(codes).toContain(0);
    for (const [i, code] of codes.entries()) {
      if (code !== 0) {
        expect([a, b][i]!.output()).toMatch(
          /another writer committed version \d+ while this run was working/,
        );
      }
    }
    await expectExactlyTheProducedEvents();
    for (const table of LAKE_TABLES) {
      const read = await readWithDeltaRs(env.python, path.join(env.lakeDir, table.name), {
        countsAtVersions: true,
      });
      expect(Object.keys(read.counts_at_versions!)).toHaveLength(read.latest_version + 1);
    }
  });
});

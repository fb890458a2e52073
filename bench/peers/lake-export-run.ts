// One lake export as its own process, so bench/peers.bench.ts measures it the way it measures
// Spark (process tree, start-up included): runs runLakeExport as bench/lake-export.bench.ts does,
// over the source topics named in the arguments, and prints one JSON line with what it wrote.
// usage (bundled by contenders.ts, as npm run lake:export is): node .build/lake-export-run.mjs DATABASE_URL BROKERS CLICKS CHECKOUTS LAKE_DIR GROUP
import { createPgPool } from '../../lib/db/pool.ts';
import { createKafka } from '../../lib/kafka/client.ts';
import { oneShotExportThreads, runLakeExport } from '../../workers/lake/export.ts';

async function main(): Promise<void> {
  const [databaseUrl, brokers, clicks, checkouts, lakeDir, group] = process.argv.slice(2);
  if (!databaseUrl || !brokers || !clicks || !checkouts || !lakeDir || !group) {
    throw new Error(
      'usage: lake-export-run.ts DATABASE_URL BROKERS CLICKS CHECKOUTS LAKE_DIR GROUP',
    );
  }
  const started = Date.now();
  const kafka = createKafka({ brokers, clientId: group, logLevel: 'error' });
  const pool = createPgPool(databaseUrl, { applicationName: 'bench-peers-lake', max: 4 });
  try {
    const result = await runLakeExport({
      lakeUri: lakeDir,
      topics: { clicks, checkouts },
      kafka,
      pool,
      groupIdPrefix: group,
      threads: oneShotExportThreads(), // as npm run lake:export
    });
    const t = result.tables;
    console.log(
      JSON.stringify({
        seconds: (Date.now() - started) / 1000,
        rowsRead: Object.fromEntries(Object.entries(result.topics).map(([k, v]) => [k, v.read])),
        rowsAdded: {
          clicks: t.clicks.rowsAdded,
          checkouts: t.checkouts.rowsAdded,
          dead_letters: t.dead_letters.rowsAdded,
        },
      }),
    );
  } finally {
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);

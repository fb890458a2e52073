// `npm run lake:export`: one lake export (AvailableNow) from the configured topics and database to
// LAKE_URI, with a progress line a second; exits 0 when committed, 2 if an export is already
// queued or running (this run is a job_runs row like the jobs worker's: lib/jobs/run-job.ts; it
// takes a queued one over), 1 on failure. The last stdout line is `result: {json}`. The sizing flags
// (--target-file-mb, --chunk-rows, --row-group-rows, --codec) are for tuning and tests;
// --threads N parses and encodes in N worker threads (default: one per core up to 4, none on one
// core: oneShotExportThreads in workers/lake/export.ts; 0 keeps it all on the main thread).
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config.ts';
import { createPgPool } from '../lib/db/pool.ts';
import { createKafka } from '../lib/kafka/client.ts';
import {
  oneShotExportThreads,
  runLakeExport,
  type LakeExportProgress,
} from '../workers/lake/export.ts';
import { JobAlreadyActiveError } from '../lib/jobs/job-run.ts';
import { defaultParquetOptions } from '../lib/delta/parquet-stream.ts';

const { values: args } = parseArgs({
  options: {
    'no-lock': { type: 'boolean', default: false },
    'pause-before-commit-ms': { type: 'string' },
    'target-file-mb': { type: 'string' },
    'chunk-rows': { type: 'string' },
    'row-group-rows': { type: 'string' },
    threads: { type: 'string' },
    codec: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function progressLine(p: LakeExportProgress): string {
  const topics = Object.entries(p.topics)
    .map(([t, x]) => `${t} ${x.read}/${x.total} (${x.filesWritten} files, ${mb(x.bytesWritten)})`)
    .join('  ');
  return `[lake-export] ${p.phase} ${(p.elapsedMs / 1000).toFixed(1)} s  ${topics}`;
}

async function main(): Promise<number> {
  const config = loadConfig();
  const log = (line: string) => console.log(`[lake-export] ${line}`);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-lake-export`,
  });
  const pool = createPgPool(config.DATABASE_URL, {
    applicationName: 'clickstream-lake-export',
    max: 4,
  });
  const codec = args.codec;
  if (codec !== undefined && codec !== 'zstd' && codec !== 'snappy')
    throw new Error('--codec must be zstd or snappy');
  try {
    log(
      `exporting ${config.CLICKS_TOPIC}, ${config.CHECKOUTS_TOPIC} and reference data to ${config.LAKE_URI}`,
    );
    const result = await runLakeExport(
      {
        lakeUri: config.LAKE_URI,
        topics: { clicks: config.CLICKS_TOPIC, checkouts: config.CHECKOUTS_TOPIC },
        kafka,
        pool,
        groupIdPrefix: config.CONSUMER_GROUP_PREFIX,
        maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
        exclusive: !args['no-lock'],
        threads: args.threads === undefined ? oneShotExportThreads() : Number(args.threads),
        log,
        pauseBeforeCommitMs: args['pause-before-commit-ms']
          ? Number(args['pause-before-commit-ms'])
          : undefined,
        writer: {
          ...(args['target-file-mb']
            ? { targetFileBytes: Number(args['target-file-mb']) * 1024 * 1024 }
            : {}),
          ...(args['chunk-rows'] ? { chunkRows: Number(args['chunk-rows']) } : {}),
          parquet: {
            codec: codec ?? defaultParquetOptions.codec,
            rowGroupRows: args['row-group-rows']
              ? Number(args['row-group-rows'])
              : defaultParquetOptions.rowGroupRows,
          },
        },
      },
      (p) => {
        if (!args.quiet) console.log(progressLine(p));
      },
    );
    for (const [name, t] of Object.entries(result.tables)) {
      log(
        `${name}: ${t.version === null ? 'unchanged' : `version ${t.version}`}, +${t.rowsAdded} rows, ${t.filesAdded} file(s), ${mb(t.bytesAdded)}`,
      );
    }
    for (const w of result.warnings) log(`warning: ${w}`);
    log(`done in ${(result.durationMs / 1000).toFixed(1)} s (run ${result.runId})`);
    console.log(`result: ${JSON.stringify(result)}`);
    return 0;
  } catch (error) {
    if (error instanceof JobAlreadyActiveError) {
      console.error(`[lake-export] ${error.message}`);
      return 2;
    }
    console.error(
      `[lake-export] failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `[lake-export] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);

// `npm run lake:vacuum`: deletes data files that the latest version of each lake table does not
// reference (orphans of killed runs, files replaced by an overwrite) once older than the
// retention (`--retention-hours`, default 168 = Delta's one week). `--dry-run` only lists them.
// Refuses to start while a lake export is queued or running (lib/jobs); an export that starts
// meanwhile is safe too: its files are younger than any retention.
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config.ts';
import { createPgPool } from '../lib/db/pool.ts';
import { createPrisma } from '../lib/db/client.ts';
import { JobAlreadyActiveError } from '../lib/jobs/job-run.ts';
import { JobRunStore } from '../lib/jobs/job-run-store.ts';
import { openObjectStore } from '../lib/delta/open-store.ts';
import { DEFAULT_RETENTION_MS, vacuumTables } from '../lib/delta/vacuum.ts';
import { LAKE_TABLES } from '../lib/lake/lake-tables.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'retention-hours': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const retentionMs =
    values['retention-hours'] === undefined
      ? DEFAULT_RETENTION_MS
      : Number(values['retention-hours']) * 3_600_000;
  if (!Number.isFinite(retentionMs) || retentionMs < 0)
    throw new Error('--retention-hours must be a number >= 0');
  const config = loadConfig();
  const pool = createPgPool(config.DATABASE_URL, {
    applicationName: 'clickstream-lake-vacuum',
    max: 2,
  });
  try {
    const prisma = createPrisma(config.DATABASE_URL, { pool });
    const active = await new JobRunStore(prisma).active('lake_export');
    await prisma.$disconnect();
    if (active) throw new JobAlreadyActiveError('lake_export', active);
    const results = await vacuumTables({
      store: openObjectStore(config.LAKE_URI),
      tables: LAKE_TABLES.map((t) => t.name),
      retentionMs,
      dryRun: values['dry-run'],
    });
    for (const r of results) {
      if (!r.isDeltaTable) {
        console.log(`[lake-vacuum] ${r.table}: not a Delta table yet, untouched`);
        continue;
      }
      const verb = values['dry-run'] ? 'would delete' : 'deleted';
      console.log(
        `[lake-vacuum] ${r.table}: ${verb} ${r.deleted.length} file(s), ${(r.bytesFreed / 1024 / 1024).toFixed(1)} MB; kept ${r.keptRecent} unreferenced file(s) younger than the retention`,
      );
      for (const key of r.deleted) console.log(`  ${key}`);
    }
    return 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[lake-vacuum] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

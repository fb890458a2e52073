// `npm run db:migrate`: applies pending prisma/migrations to DATABASE_URL with our offline
// migrator (lib/db/migrate.ts), which records them exactly as `prisma migrate deploy` would.
import { loadConfig } from '../lib/config';
import { migrateDatabase } from '../lib/db/migrate';

const log = (message: string) => console.log(`[migrate] ${message}`);

async function main(): Promise<void> {
  const { DATABASE_URL } = loadConfig();
  const { applied, alreadyApplied } = await migrateDatabase(DATABASE_URL, { log });
  log(
    applied.length === 0
      ? `database is up to date (${alreadyApplied.length} migration(s) applied before)`
      : `applied ${applied.length} migration(s); ${alreadyApplied.length} were already applied`,
  );
}

main().catch((error: unknown) => {
  console.error(`[migrate] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

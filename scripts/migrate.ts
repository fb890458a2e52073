// `npm run db:migrate`: applies pending prisma/migrations to DATABASE_URL with our offline
// migrator (lib/db/migrate.ts), which records them exactly as `prisma migrate deploy` would, then
// grants the web app's role (WEB_DATABASE_URL, when set) exactly its tables (lib/db/web-role.ts).
import { loadConfig } from '../lib/config.ts';
import { migrateDatabase } from '../lib/db/migrate.ts';
import { provisionWebRole } from '../lib/db/web-role.ts';

const log = (message: string) => console.log(`[migrate] ${message}`);

async function main(): Promise<void> {
  const { DATABASE_URL, WEB_DATABASE_URL } = loadConfig();
  const { applied, alreadyApplied } = await migrateDatabase(DATABASE_URL, { log });
  log(
    applied.length === 0
      ? `database is up to date (${alreadyApplied.length} migration(s) applied before)`
      : `applied ${applied.length} migration(s); ${alreadyApplied.length} were already applied`,
  );
  if (WEB_DATABASE_URL) await provisionWebRole(DATABASE_URL, WEB_DATABASE_URL, log);
  else log('WEB_DATABASE_URL is not set: the web app will connect as DATABASE_URL’s role');
}

main().catch((error: unknown) => {
  console.error(`[migrate] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

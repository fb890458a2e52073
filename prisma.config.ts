// Prisma CLI configuration (Prisma 7 keeps the connection URL here, not in schema.prisma).
// The URL comes from lib/config.ts, so the CLI sees the same database as every other command.
import { defineConfig } from 'prisma/config';
import { loadConfig } from './lib/config.ts';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: loadConfig().DATABASE_URL },
});

// Reading prisma/migrations the way the Prisma CLI does, and Prisma's migration checksum.
// Pure apart from reading files; the rules mirror prisma-engines' `checksum.rs` and the CLI's
// `listMigrations` so that `_prisma_migrations` rows we write are the rows Prisma would write.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface MigrationFile {
  /** The directory name, e.g. `20261124000000_init`; Prisma's `migration_name`. */
  name: string;
  /** migration.sql as UTF-8 text. */
  sql: string;
  /** Prisma's checksum of `sql` (64 lowercase hex digits). */
  checksum: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** SHA-256 of the script's UTF-8 bytes as zero-padded lowercase hex: Prisma's `render_checksum`. */
export function prismaChecksum(sql: string): string {
  return sha256(sql).toString('hex');
}

/** The hex form an early schema engine wrote: bytes below 0x10 lost their leading zero. */
function unpaddedHex(digest: Buffer): string {
  return [...digest].map((byte) => byte.toString(16)).join('');
}

/**
 * Prisma's `script_matches_checksum`: the script as is, with CRLF turned into LF, or with LF
 * turned into CRLF (git may have rewritten line endings since the row was written); recorded
 * checksums of the wrong length are compared in the old unpadded form.
 */
export function checksumMatches(sql: string, recorded: string): boolean {
  const variants = [sql, sql.replaceAll('\r\n', '\n'), sql.replaceAll('\n', '\r\n')];
  const oldFormat = recorded.length !== 0 && recorded.length !== 64;
  return variants.some((variant) => {
    const digest = sha256(variant);
    return (oldFormat ? unpaddedHex(digest) : digest.toString('hex')) === recorded;
  });
}

/**
 * The migrations in `dir`, in the order Prisma applies them (directory names compared with
 * `localeCompare`, as the CLI does). Every directory must hold a migration.sql.
 */
export function readMigrationFiles(dir: string): MigrationFile[] {
  if (!existsSync(dir)) throw new Error(`migrations directory not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b))
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      if (!existsSync(file)) throw new Error(`migration ${name} has no migration.sql (${file})`);
      // Read as text, like the CLI: the engine hashes the UTF-8 of the decoded string.
      const sql = readFileSync(file, 'utf8');
      return { name, sql, checksum: prismaChecksum(sql) };
    });
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checksumMatches, prismaChecksum, readMigrationFiles } from './migration-files.ts';

describe('prismaChecksum', () => {
  it('is the zero-padded sha256 hex that prisma-engines expects for "hello"', () => {
    // The fixture of prisma-engines' own test `format_checksum_does_not_strip_zeros`.
    expect(prismaChecksum('hello')).toBe(
      '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    );
  });

  it('hashes the UTF-8 bytes of non-ASCII text', () => {
    // `printf '\xc3\xa9' | sha256sum`: "é" is hashed as its two UTF-8 bytes.
    expect(prismaChecksum('é')).toBe(
      '4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c',
    );
  });
});

describe('checksumMatches', () => {
  it.each([
    ['LF script, LF checksum', 'ab\ncd\n', 'ab\ncd\n'],
    ['CRLF script, LF checksum', 'ab\r\ncd\r\n', 'ab\ncd\n'],
    ['LF script, CRLF checksum', 'ab\ncd\n', 'ab\r\ncd\r\n'],
  ])('accepts %s', (_name, script, recordedFrom) => {
    expect(checksumMatches(script, prismaChecksum(recordedFrom))).toBe(true);
  });

  it('rejects a changed script', () => {
    expect(checksumMatches('abc', prismaChecksum('abcd'))).toBe(false);
    expect(checksumMatches('abc\n', prismaChecksum('abc'))).toBe(false);
  });

  it('accepts the unpadded checksums an old schema engine wrote', () => {
    // "hello"'s digest has bytes below 0x10 (0x0e, 0x06, ...): the old form is shorter.
    const padded = prismaChecksum('hello');
    const unpadded = Buffer.from(padded, 'hex').reduce((s, b) => s + b.toString(16), '');
    expect(unpadded.length).toBeLessThan(64);
    expect(checksumMatches('hello', unpadded)).toBe(true);
    expect(checksumMatches('hellO', unpadded)).toBe(false);
  });
});

describe('readMigrationFiles', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('returns directories in name order with their checksums, ignoring plain files', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
    for (const name of ['20260102000000_b', '20260101000000_a']) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'migration.sql'), `-- ${name}\n`);
    }
    writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
    const files = readMigrationFiles(dir);
    expect(files.map((f) => f.name)).toEqual(['20260101000000_a', '20260102000000_b']);
    expect(files[0]!.checksum).toBe(prismaChecksum('-- 20260101000000_a\n'));
  });

  it('refuses a migration directory without migration.sql', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
    mkdirSync(path.join(dir, '20260101000000_empty'));
    expect(() => readMigrationFiles(dir!)).toThrow(/has no migration\.sql/);
  });
});

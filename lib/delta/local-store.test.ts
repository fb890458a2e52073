import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from './local-store.ts';
import { LakeStorageError, subStore } from './object-store.ts';
import { openObjectStore } from './open-store.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lake-store-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('LocalObjectStore', () => {
  it('creates a key only once, atomically, and leaves no temp file behind', async () => {
    const store = new LocalObjectStore(tempDir());
    expect(await store.putIfAbsent('t/_delta_log/0.json', 'first')).toBe(true);
    expect(await store.putIfAbsent('t/_delta_log/0.json', 'second')).toBe(false);
    expect(new TextDecoder().decode(await store.get('t/_delta_log/0.json'))).toBe('first');
    expect(readdirSync(path.join(store.root, 't/_delta_log'))).toEqual(['0.json']);
  });

  it('lets exactly one of many concurrent creators win', async () => {
    const store = new LocalObjectStore(tempDir());
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.putIfAbsent('k', `w${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('lists recursively under a directory, uploads invisibly until closed, deletes', async () => {
    const store = subStore(new LocalObjectStore(tempDir()), 'clicks');
    await store.put('a/x.txt', 'x');
    const upload = await store.upload('a/y.parquet');
    await upload.write(new Uint8Array([1, 2, 3]));
    const during = (await store.list('a')).map((o) => o.key);
    expect(during).toContain('a/x.txt');
    expect(during).not.toContain('a/y.parquet'); // only a hidden temp file so far
    expect(await upload.close()).toBe(3);
    expect((await store.list('a')).map((o) => o.key).sort()).toEqual(['a/x.txt', 'a/y.parquet']);
    await store.delete('a/x.txt');
    expect(await store.get('a/x.txt')).toBeUndefined();
    expect(await store.list('missing')).toEqual([]);
  });

  it('fails with a clear error when the lake path runs through a file', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'file'), 'x');
    const store = openObjectStore(path.join(dir, 'file', 'lake'));
    const error = await store.putIfAbsent('t/k', 'v').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LakeStorageError);
    expect((error as Error).message).toMatch(/cannot create .*file\/lake\/t\/k: ENOTDIR/);
  });

  it('opens s3:// and file:// URIs and refuses other schemes', () => {
    expect(openObjectStore('s3://bucket/lake?region=eu-west-1').uriOf('clicks/x')).toBe(
      's3://bucket/lake/clicks/x',
    );
    expect(openObjectStore('file:///tmp/lake').uriOf('a')).toBe('file:///tmp/lake/a');
    expect(() => openObjectStore('gs://bucket/lake')).toThrow(
      /only local paths, file:\/\/ and s3:\/\//,
    );
    expect(() => openObjectStore('s3://bucket/lake?colour=red')).toThrow(
      /unknown parameter "colour"/,
    );
  });
});

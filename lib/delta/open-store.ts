// LAKE_URI → ObjectStore: `s3://bucket/prefix[?…]` is S3, `file:///path` or a plain path is the
// local file system (relative paths resolve against `baseDir`, the project root by default).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalObjectStore } from './local-store.ts';
import type { ObjectStore } from './object-store.ts';
import { S3ObjectStore, parseS3Uri } from './s3-store.ts';

export function openObjectStore(lakeUri: string, baseDir = process.cwd()): ObjectStore {
  const uri = lakeUri.trim();
  if (uri === '') throw new Error('LAKE_URI is empty');
  if (/^s3a?:\/\//i.test(uri)) return new S3ObjectStore(parseS3Uri(uri.replace(/^s3a:/i, 's3:')));
  if (/^file:/i.test(uri)) return new LocalObjectStore(fileURLToPath(uri), uri);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new Error(
      `LAKE_URI ${JSON.stringify(uri)}: only local paths, file:// and s3:// are supported`,
    );
  }
  return new LocalObjectStore(path.resolve(baseDir, uri), uri);
}

// The lake on Amazon S3 (or an S3-compatible store). Credentials and region come from the usual
// AWS environment (AWS_ACCESS_KEY_ID/…, AWS_PROFILE, instance roles) through the SDK's default
// chain. putIfAbsent is a conditional PutObject (`If-None-Match: *`, S3 conditional writes):
// S3 answers 412 if the key exists, so two exporters can never commit the same Delta version.
// Data files stream up through lib-storage's Upload (multipart beyond one part). The AWS SDK is
// loaded on first use, so a local lake never loads it.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import {
  LakeStorageError,
  joinKey,
  type ObjectInfo,
  type ObjectStore,
  type ObjectUpload,
} from './object-store.ts';

export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash ('' for the bucket root). */
  prefix: string;
  /** From `?endpoint=` (S3-compatible stores, tests). */
  endpoint?: string;
  /** From `?region=`; otherwise AWS_REGION / the profile. */
  region?: string;
  /** From `?force_path_style=true` (most S3-compatible stores need it). */
  forcePathStyle: boolean;
}

/** Parses `s3://bucket/prefix[?endpoint=…&region=…&force_path_style=true]`. */
export function parseS3Uri(uri: string): S3Location {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`LAKE_URI ${JSON.stringify(uri)} is not a valid s3://bucket/prefix URI`);
  }
  if (url.protocol !== 's3:' || url.hostname === '') {
    throw new Error(`LAKE_URI ${JSON.stringify(uri)} is not a valid s3://bucket/prefix URI`);
  }
  const known = new Set(['endpoint', 'region', 'force_path_style']);
  for (const name of url.searchParams.keys()) {
    if (!known.has(name))
      throw new Error(`LAKE_URI: unknown parameter "${name}" (known: ${[...known].join(', ')})`);
  }
  return {
    bucket: url.hostname,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
    endpoint: url.searchParams.get('endpoint') ?? undefined,
    region: url.searchParams.get('region') ?? undefined,
    forcePathStyle: url.searchParams.get('force_path_style') === 'true',
  };
}

/** Multipart part size (S3's minimum is 5 MiB for every part but the last). */
const PART_BYTES = 8 * 1024 * 1024;

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function nameOf(error: unknown): string | undefined {
  return (error as { name?: string }).name;
}

type Sdk = typeof import('@aws-sdk/client-s3');
let sdkModule: Promise<Sdk> | undefined;
const loadSdk = () => (sdkModule ??= import('@aws-sdk/client-s3'));
let libStorageModule: Promise<typeof import('@aws-sdk/lib-storage')> | undefined;
const loadLibStorage = () => (libStorageModule ??= import('@aws-sdk/lib-storage'));

export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  private connection: Promise<{ sdk: Sdk; client: S3Client }> | undefined;

  constructor(
    readonly location: S3Location,
    private readonly clientConfig: S3ClientConfig = {},
  ) {
    this.description = `s3://${location.bucket}/${location.prefix}`;
  }

  private connect(): Promise<{ sdk: Sdk; client: S3Client }> {
    this.connection ??= loadSdk().then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        ...(this.location.region ? { region: this.location.region } : {}),
        ...(this.location.endpoint ? { endpoint: this.location.endpoint } : {}),
        forcePathStyle: this.location.forcePathStyle,
        ...this.clientConfig,
      }),
    }));
    return this.connection;
  }

  private key(key: string): string {
    return joinKey(this.location.prefix, key);
  }

  private where(key: string): string {
    return `s3://${this.location.bucket}/${this.key(key)}`;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const { sdk, client } = await this.connect();
    try {
      const out = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(key) }),
      );
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (nameOf(error) === 'NoSuchKey' || statusOf(error) === 404) return undefined;
      throw new LakeStorageError('read', this.where(key), error);
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const { sdk, client } = await this.connect();
    try {
      await client.send(
        new sdk.PutObjectCommand({ Bucket: this.location.bucket, Key: this.key(key), Body: data }),
      );
    } catch (error) {
      throw new LakeStorageError('write', this.where(key), error);
    }
  }

  async putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    const { sdk, client } = await this.connect();
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.location.bucket,
          Key: this.key(key),
          Body: data,
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (error) {
      // 412: the key exists. 409: a concurrent conditional write to the same key is in flight.
      const status = statusOf(error);
      if (status === 412 || status === 409 || nameOf(error) === 'PreconditionFailed') return false;
      throw new LakeStorageError('create', this.where(key), error);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const base = this.key(prefix);
    const listPrefix = base === '' ? '' : `${base}/`;
    const strip = this.location.prefix === '' ? 0 : this.location.prefix.length + 1;
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    const { sdk, client } = await this.connect();
    try {
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: listPrefix,
            ContinuationToken: token,
          }),
        );
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          out.push({
            key: o.Key.slice(strip),
            size: o.Size ?? 0,
            lastModified: o.LastModified?.getTime() ?? 0,
          });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw new LakeStorageError('list', `s3://${this.location.bucket}/${listPrefix}`, error);
    }
    return out;
  }

  async delete(key: string): Promise<void> {
    const { sdk, client } = await this.connect();
    try {
      await client.send(
        new sdk.DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.key(key) }),
      );
    } catch (error) {
      throw new LakeStorageError('delete', this.where(key), error);
    }
  }

  /**
   * Streams the object through lib-storage's Upload: an object smaller than one part is one
   * PutObject, a larger one a multipart upload that S3 assembles only on completion, so nothing is
   * visible under the key before `close`. A failed or aborted upload is aborted on S3 as well.
   */
  async upload(key: string): Promise<ObjectUpload> {
    const { client } = await this.connect();
    const { Upload } = await loadLibStorage();
    const where = this.where(key);
    const body = new PassThrough();
    body.on('error', () => undefined); // the failure is reported by `done` below
    const upload = new Upload({
      client,
      params: { Bucket: this.location.bucket, Key: this.key(key), Body: body },
      partSize: PART_BYTES,
      // One part in flight: with the part being filled, at most two parts per open file in memory.
      queueSize: 1,
      leavePartsOnError: false,
    });
    let failure: unknown;
    const done = upload.done().then(
      () => undefined,
      (error: unknown) => {
        failure ??= error;
        body.destroy(error instanceof Error ? error : new Error(String(error)));
      },
    );
    let size = 0;
    const failed = () => new LakeStorageError('write', where, failure);
    return {
      write: async (chunk) => {
        if (failure !== undefined) throw failed();
        size += chunk.length;
        if (body.write(chunk)) return;
        // Wait for the uploader to take what is buffered; a failed upload ends the wait.
        await once(body, 'drain').catch(() => undefined);
        if (failure !== undefined) throw failed();
      },
      close: async () => {
        if (failure === undefined) body.end();
        await done;
        if (failure !== undefined) throw failed();
        return size;
      },
      abort: async () => {
        failure ??= new Error('upload aborted');
        body.destroy(failure as Error);
        await done;
      },
    };
  }

  uriOf(key: string): string {
    return `s3://${this.location.bucket}/${this.key(key)}`;
  }
}

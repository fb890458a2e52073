// The lake on S3: an export to an S3-compatible server (moto, from PyPI, which implements S3's
// conditional writes) read back by delta-rs over S3, plus the store's put-if-absent semantics.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLakeExport } from './export.ts';
import { openObjectStore } from '../../lib/delta/open-store.ts';
import { S3ObjectStore } from '../../lib/delta/s3-store.ts';
import {
  createLakeTestEnv,
  readWithDeltaRs,
  sorted,
  type LakeTestEnv,
} from '../../test/lake/lake-test-env.ts';

let env: LakeTestEnv;
let moto: ChildProcess;
let endpoint: string;
const credentials = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

beforeAll(async () => {
  env = await createLakeTestEnv(2);
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn(
    path.join(path.dirname(env.python), 'moto_server'),
    ['-H', '127.0.0.1', '-p', String(port)],
    {
      stdio: 'ignore',
    },
  );
  Object.assign(process.env, credentials); // the AWS SDK's default credential chain reads these
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(endpoint)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('moto_server did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  await new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1' }).send(
    new CreateBucketCommand({ Bucket: 'lake' }),
  );
}, 300_000);

afterAll(async () => {
  moto?.kill('SIGTERM');
  await env?.cleanup();
});

describe('lake on S3', () => {
  it('creates a key only once (S3 conditional write)', async () => {
    const store = openObjectStore(
      `s3://lake/store-test?endpoint=${endpoint}&force_path_style=true`,
    );
    expect(store).toBeInstanceOf(S3ObjectStore);
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => store.putIfAbsent('t/_delta_log/00000000000000000000.json', `w${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.get('t/missing')).toBeUndefined();
  });

  it('uploads large objects in parts, visible only once closed; an aborted upload leaves nothing', async () => {
    const store = openObjectStore(
      `s3://lake/upload-test?endpoint=${endpoint}&force_path_style=true`,
    );
    const part = (i: number) => new Uint8Array(5 * 1024 * 1024).fill(i + 1);
    const upload = await store.upload('t/big.parquet');
    for (let i = 0; i < 3; i++) await upload.write(part(i)); // 15 MiB: two 8 MiB parts
    expect(await store.list('t')).toEqual([]); // nothing visible before close
    expect(await upload.close()).toBe(15 * 1024 * 1024);
    const big = (await store.get('t/big.parquet'))!;
    expect(big.length).toBe(15 * 1024 * 1024);
    for (let i = 0; i < 3; i++) expect(big[i * 5 * 1024 * 1024 + 7]).toBe(i + 1);

    const small = await store.upload('t/small.parquet'); // under one part: a single PutObject
    await small.write(new TextEncoder().encode('small'));
    expect(await small.close()).toBe(5);
    expect(new TextDecoder().decode(await store.get('t/small.parquet'))).toBe('small');

    const aborted = await store.upload('t/aborted.parquet');
    for (let i = 0; i < 2; i++) await aborted.write(part(i)); // one part sent, one buffered
    await aborted.abort();
    expect((await store.list('t')).map((o) => o.key).sort()).toEqual([
      't/big.parquet',
      't/small.parquet',
    ]);
    const { S3Client, ListMultipartUploadsCommand } = await import('@aws-sdk/client-s3');
    const pending = await new S3Client({
      endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
    }).send(new ListMultipartUploadsCommand({ Bucket: 'lake', Prefix: 'upload-test/' }));
    expect(pending.Uploads ?? []).toEqual([]);
  });

  it('exports to s3:// and delta-rs reads the tables back over S3', async () => {
    const lakeUri = `s3://lake/clickstream?endpoint=${endpoint}&force_path_style=true`;
    const deltaEnv = { ...credentials, AWS_ENDPOINT_URL: endpoint, AWS_ALLOW_HTTP: 'true' };
    const options = {
      lakeUri,
      topics: env.topics,
      kafka: env.kafka,
      pool: env.pool,
      groupIdPrefix: env.childEnv.CONSUMER_GROUP_PREFIX,
    };
    await env.produce(800);
    await runLakeExport(options);
    await env.produce(400);
    const result = await runLakeExport(options);
    expect(result.lake).toBe('s3://lake/clickstream');
    const clicks = await readWithDeltaRs(env.python, 's3://lake/clickstream/clicks', {
      columns: ['click_id'],
      countsAtVersions: true,
      env: deltaEnv,
    });
    expect(clicks.version).toBe(1);
    expect(sorted(clicks.rows!.map((r) => r[0] as string))).toEqual(sorted(env.expected.clickIds));
    const dead = await readWithDeltaRs(env.python, 's3://lake/clickstream/dead_letters', {
      env: deltaEnv,
    });
    expect(dead.num_rows).toBe(env.expected.deadLetters);
    const store = openObjectStore(lakeUri);
    const manifests = (await store.list('clicks/_symlink_format_manifest')).map((o) => o.key);
    expect(manifests.length).toBeGreaterThan(0);
    const text = new TextDecoder().decode(await store.get(manifests[0]!));
    expect(text).toMatch(
      /^s3:\/\/lake\/clickstream\/clicks\/event_date=\d{4}-\d\d-\d\d\/part-.*\.parquet$/m,
    );
  });
});

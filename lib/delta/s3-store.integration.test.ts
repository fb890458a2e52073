// The object store on S3, against an S3-compatible server (moto): put-if-absent is a conditional
// write only one of many writers wins, data files stream up in parts invisible until closed, and
// Delta tables committed over S3 (racing writers included) read back with delta-rs over S3.
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePythonEnv } from '../../scripts/python-env.ts';
import { appendEvents } from '../../test/delta/events-table.ts';
import { startMotoServer, type MotoServer } from '../../test/delta/moto-server.ts';
import { readWithDeltaRs } from '../../test/lake/lake-test-env.ts';
import { emptySnapshot } from './delta-snapshot.ts';
import { DeltaTable } from './delta-table.ts';
import { subStore } from './object-store.ts';
import { openObjectStore } from './open-store.ts';
import { S3ObjectStore } from './s3-store.ts';

let moto: MotoServer;
let python: string;
const storeAt = (prefix: string) =>
  openObjectStore(`s3://lake/${prefix}?endpoint=${moto.endpoint}&force_path_style=true`);

beforeAll(async () => {
  python = await ensurePythonEnv();
  moto = await startMotoServer(['lake']);
}, 300_000);

afterAll(() => moto?.stop());

describe('S3 object store', () => {
  it('creates a key only once (S3 conditional write)', async () => {
    const store = storeAt('store-test');
    expect(store).toBeInstanceOf(S3ObjectStore);
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => store.putIfAbsent('t/_delta_log/00000000000000000000.json', `w${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.putIfAbsent('t/_delta_log/00000000000000000000.json', 'late')).toBe(false);
    expect(await store.get('t/missing')).toBeUndefined();
  });

  it('uploads large objects in parts, visible only once closed; an aborted upload leaves nothing', async () => {
    const store = storeAt('upload-test');
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
    const pending = await new S3Client({
      endpoint: moto.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
    }).send(new ListMultipartUploadsCommand({ Bucket: 'lake', Prefix: 'upload-test/' }));
    expect(pending.Uploads ?? []).toEqual([]);
  });

  it('commits a Delta table over S3, racing writers included, that delta-rs reads over S3', async () => {
    const table = new DeltaTable('events', subStore(storeAt('delta-test'), 'events'));
    const first = await appendEvents(table, emptySnapshot(), 0, 10, 'a');
    // Three writers on the same base with their own appIds: each lands on its own version.
    const racing = await Promise.all(
      [1, 2, 3].map((i) => appendEvents(table, first.snapshot, i * 100, 5, `w${i}`)),
    );
    expect(racing.map((r) => r.version).sort()).toEqual([1, 2, 3]);
    expect((await table.loadSnapshot()).version).toBe(3);
    const read = await readWithDeltaRs(python, 's3://lake/delta-test/events', {
      txns: ['a', 'w1', 'w3'],
      env: moto.deltaRsEnv,
    });
    expect(read).toMatchObject({ version: 3, num_rows: 25, txns: { a: 10, w1: 105, w3: 305 } });
  });
});

// The lake on S3: an export to an S3-compatible server (moto) read back by delta-rs over S3, and
// the symlink manifests naming s3:// URIs. The S3 store itself is tested in lib/delta.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openObjectStore } from '../../lib/delta/open-store.ts';
import { startMotoServer, type MotoServer } from '../../test/delta/moto-server.ts';
import {
  createLakeTestEnv,
  readWithDeltaRs,
  sorted,
  type LakeTestEnv,
} from '../../test/lake/lake-test-env.ts';
import { runLakeExport } from './export.ts';

let env: LakeTestEnv;
let moto: MotoServer;

beforeAll(async () => {
  env = await createLakeTestEnv(2);
  moto = await startMotoServer(['lake']);
}, 300_000);

afterAll(async () => {
  moto?.stop();
  await env?.cleanup();
});

describe('lake on S3', () => {
  it('exports to s3:// and delta-rs reads the tables back over S3', async () => {
    const lakeUri = `s3://lake/clickstream?endpoint=${moto.endpoint}&force_path_style=true`;
    const deltaEnv = moto.deltaRsEnv;
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

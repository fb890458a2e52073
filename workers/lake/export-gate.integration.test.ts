// The lake export applies the one gate as the speed layer does (lib/domain/events.ts): through the
// real broker and the threaded sink, a tombstone and an event from the far future become dead
// letters with their reasons, and accepted extremes (year 0001, ids at ±(2^53 − 1), an amount of
// 17 significant digits) are read back exactly by delta-rs, an independent reader.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLakeExport } from './export.ts';
import {
  createLakeTestEnv,
  readWithDeltaRs,
  sorted,
  type LakeTestEnv,
} from '../../test/lake/lake-test-env.ts';

let env: LakeTestEnv;

beforeAll(async () => {
  env = await createLakeTestEnv(2);
}, 300_000);

afterAll(async () => {
  await env?.cleanup();
});

const click = (id: string, userId: string, time: string) =>
  `{"click_id":"${id}","user_id":${userId},"product_id":"p","product":"x","price":1.5,"url":"u","user_agent":"a","ip_address":"i","datetime_occured":"${time}"}`;
const checkout = (id: string, userId: string, amount: string, time: string) =>
  `{"checkout_id":"${id}","user_id":${userId},"product_id":"p","payment_method":"m","total_amount":${amount},"shipping_address":"s","billing_address":"b","user_agent":"a","ip_address":"i","datetime_occured":"${time}"}`;

describe('lake export: one gate', () => {
  it('dead-letters tombstones and far-future events, and stores accepted extremes exactly', async () => {
    const producer = env.kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: env.topics.clicks,
        messages: [
          { partition: 0, value: click('c-old', '9007199254740991', '0001-01-01T00:00:00Z') },
          { partition: 0, value: null },
          { partition: 1, value: click('c-future', '1', '2999-01-01 00:00:00') },
          {
            partition: 1,
            value: click('c-neg', '-9007199254740991', '2026-01-01 10:00:00.5+01:00'),
          },
        ],
      });
      await producer.send({
        topic: env.topics.checkouts,
        messages: [
          {
            partition: 0,
            value: checkout('k-exact', '4294967296', '100000000000000.01', '2026-01-01 10:00:00'),
          },
          {
            partition: 1,
            value: checkout('k-digits', '1', '0.1000000000000000001', '2026-01-01 10:00:00'),
          },
          { partition: 1, value: null },
        ],
      });
    } finally {
      await producer.disconnect();
    }

    const result = await runLakeExport({
      lakeUri: env.lakeDir,
      topics: env.topics,
      kafka: env.kafka,
      pool: env.pool,
      groupIdPrefix: env.childEnv.CONSUMER_GROUP_PREFIX,
      maxFutureSkewMs: 60_000,
      threads: 2,
    });
    expect(result.topics[env.topics.clicks]).toEqual({ read: 4, valid: 2, invalid: 2 });
    expect(result.topics[env.topics.checkouts]).toEqual({ read: 3, valid: 1, invalid: 2 });

    const table = (name: string) => path.join(env.lakeDir, name);
    const clicks = await readWithDeltaRs(env.python, table('clicks'), {
      columns: ['click_id', 'user_id', 'event_time'],
    });
    expect(sorted(clicks.rows!.map((r) => JSON.stringify(r)))).toEqual(
      sorted([
        JSON.stringify(['c-old', 9007199254740991, '0001-01-01T00:00:00.000000Z']),
        JSON.stringify(['c-neg', -9007199254740991, '2026-01-01T09:00:00.500000Z']),
      ]),
    );
    expect(Object.keys(clicks.partitions).sort()).toEqual([
      'event_date=0001-01-01',
      'event_date=2026-01-01',
    ]);
    const checkouts = await readWithDeltaRs(env.python, table('checkouts'), {
      columns: ['checkout_id', 'user_id', 'total_amount'],
    });
    expect(checkouts.rows).toEqual([['k-exact', 4294967296, '100000000000000.01']]);

    const dead = await readWithDeltaRs(env.python, table('dead_letters'), {
      columns: ['topic', 'reason', 'raw'],
    });
    const rows = dead.rows as [string, string, string][];
    const future = rows.filter((r) => r[1].startsWith('future_timestamp: '));
    expect(future).toHaveLength(1);
    expect(future[0]![0]).toBe(env.topics.clicks);
    expect(future[0]![1]).toMatch(
      /^future_timestamp: datetime_occured "2999-01-01 00:00:00" is \d+ ms ahead of the reader's clock \(at most 60000 allowed\)$/,
    );
    const tombstone = 'invalid_json: tombstone: the message has no value';
    const digits = checkout('k-digits', '1', '0.1000000000000000001', '2026-01-01 10:00:00');
    expect(sorted(rows.filter((r) => r !== future[0]).map((r) => JSON.stringify(r)))).toEqual(
      sorted([
        JSON.stringify([env.topics.clicks, tombstone, '']),
        JSON.stringify([env.topics.checkouts, tombstone, '']),
        JSON.stringify([
          env.topics.checkouts,
          'too_many_decimals: total_amount 0.1000000000000000001 has more than 2 decimals',
          Buffer.from(digits).toString('base64'),
        ]),
      ]),
    );
    expect(result.warnings.filter((w) => w.includes('worker threads'))).toEqual([]);
  });

  // The threads start before the run knows whether it has anything to read.
  it('with nothing new to read, ends the threads it started and adds nothing', async () => {
    const threadsOfThisProcess = () => readdirSync('/proc/self/task').length;
    const before = threadsOfThisProcess();
    const result = await runLakeExport({
      lakeUri: env.lakeDir,
      topics: env.topics,
      kafka: env.kafka,
      pool: env.pool,
      groupIdPrefix: env.childEnv.CONSUMER_GROUP_PREFIX,
      threads: 2,
    });
    expect(result.tables.clicks.rowsAdded + result.tables.checkouts.rowsAdded).toBe(0);
    expect(result.tables.dead_letters.rowsAdded).toBe(0);
    expect(result.warnings.filter((w) => w.includes('worker threads'))).toEqual([]);
    expect(threadsOfThisProcess()).toBeLessThanOrEqual(before);
  });
});

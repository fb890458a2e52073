// The attributor's sink under faults, with real worker processes, Kafka and PostgreSQL: a write
// that fails (injected by a trigger with the SQLSTATE of a lost connection) is retried without
// the worker exiting, never followed by a snapshot that would skip its rows, and a checkout id
// that arrives under two user ids keeps one row and dead-letters the other copy.
import { afterEach, describe, expect, it } from 'vitest';
import { AttributionPartition } from '../../lib/domain/partition-engine.ts';
import { userPartition } from '../../lib/kafka/user-partition.ts';
import { naiveTimestamp } from '../../lib/simulator/stream-generator.ts';
import { seedReferenceData } from '../../lib/simulator/traffic.ts';
import { withPrismaOn } from '../../lib/db/client.ts';
import { expectedSources } from './partition-runtime.ts';
import { saveSnapshots } from './snapshots.ts';
import {
  createSpeedTestEnv,
  expectedAttribution,
  expectRuleRows,
  produceKeyless,
  ruleStream,
  STREAM_T0,
  waitForSink,
  watermarkPusher,
  type SpeedTestEnv,
} from '../../test/speed/test-harness.ts';
import { WorkerProcess } from '../../test/speed/worker-process.ts';

const T0 = STREAM_T0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const click = (env: SpeedTestEnv, id: string, userId: number, productId: string, t: number) => ({
  topic: env.topics.clicks,
  value: JSON.stringify({
    click_id: id,
    user_id: userId,
    product_id: productId,
    product: 'p',
    price: 1,
    url: 'u',
    user_agent: 'ua',
    ip_address: '127.0.0.1',
    datetime_occured: naiveTimestamp(t),
  }),
});

const checkout = (env: SpeedTestEnv, id: string, userId: number, productId: string, t: number) => ({
  topic: env.topics.checkouts,
  value: JSON.stringify({
    checkout_id: id,
    user_id: userId,
    product_id: productId,
    payment_method: 'card',
    total_amount: 10.5,
    shipping_address: 's',
    billing_address: 'b',
    user_agent: 'ua',
    ip_address: '127.0.0.1',
    datetime_occured: naiveTimestamp(t),
  }),
});

/** Makes every write to the sink table fail with SQLSTATE 08006 (connection failure) while on. */
async function installSinkFault(env: SpeedTestEnv): Promise<(on: boolean) => Promise<void>> {
  await env.pool.query(`
    CREATE TABLE commerce.test_sink_fault (enabled boolean NOT NULL);
    INSERT INTO commerce.test_sink_fault VALUES (false);
    CREATE FUNCTION commerce.test_sink_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT enabled FROM commerce.test_sink_fault) THEN
        RAISE EXCEPTION 'injected: connection lost' USING ERRCODE = '08006';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_sink_fault BEFORE INSERT OR UPDATE ON commerce.attributed_checkouts
      FOR EACH ROW EXECUTE FUNCTION commerce.test_sink_fault();`);
  return async (on) => {
    await env.pool.query('UPDATE commerce.test_sink_fault SET enabled = $1', [on]);
  };
}

describe('sink faults', () => {
  let env: SpeedTestEnv | undefined;
  const workers: WorkerProcess[] = [];

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
    await env?.cleanup();
    env = undefined;
  });

  it('rides through a failing sink without exiting and writes every row once it recovers', async () => {
    env = await createSpeedTestEnv({ SNAPSHOT_INTERVAL_MS: '300' });
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 30, products: 6 }));
    const setFault = await installSinkFault(env);
    const messages = ruleStream(env, 21, 2);
    const worker = new WorkerProcess(env.childEnv);
    workers.push(worker);
    worker.start();
    const half = Math.ceil(messages.length / 2);
    await produceKeyless(env.kafka, messages.slice(0, half));
    await sleep(3_000);
    await setFault(true);
    await produceKeyless(env.kafka, messages.slice(half));
    await sleep(4_000);
    expect(worker.running, worker.output.join('')).toBe(true);
    await setFault(false);
    await produceKeyless(env.kafka, [watermarkPusher(env)]);
    await expectRuleRows(env, messages, 120_000);
    expect(worker.running, worker.output.join('')).toBe(true);
    expect(worker.output.join('')).toMatch(/sink flush failed, retrying with backoff/);
  }, 180_000);

  it('loses no row when a worker is stopped while its writes fail', async () => {
    env = await createSpeedTestEnv({ SNAPSHOT_INTERVAL_MS: '300' });
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 30, products: 6 }));
    const setFault = await installSinkFault(env);
    const messages = ruleStream(env, 22, 2);
    const expected = expectedAttribution(messages, env.topics);
    const worker = new WorkerProcess(env.childEnv);
    workers.push(worker);
    worker.start();
    await produceKeyless(env.kafka, messages);
    // Every checkout has a row, the last hour's still provisional.
    await waitForSink(env.pool, (r) => r.size >= expected.size, 60_000);
    await setFault(true);
    // The pusher finalizes every pending checkout at once: those final rows cannot be written.
    await produceKeyless(env.kafka, [watermarkPusher(env)]);
    await sleep(3_000);
    // A clean stop while the sink fails: the last flush gives up, and no snapshot may be taken
    // of a state whose final rows are not in the table.
    await worker.kill('SIGTERM');
    await setFault(false);
    worker.start();
    await expectRuleRows(env, messages, 120_000);
  }, 180_000);

  it('keeps one row for a checkout id sent under two user ids and dead-letters the other copy', async () => {
    env = await createSpeedTestEnv();
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 30, products: 6 }));
    const partitions = env.config.TOPIC_PARTITIONS;
    const userA = 3;
    let userB = 4;
    while (userPartition(userB, partitions) === userPartition(userA, partitions)) userB++;
    const t = T0 + 3_600_000;
    const messages = [
      click(env, 'click-a', userA, '1', t - 60_000),
      click(env, 'click-b', userB, '1', t - 30_000),
      checkout(env, 'twice', userA, '1', t),
      checkout(env, 'twice', userB, '1', t),
    ];
    const worker = new WorkerProcess(env.childEnv);
    workers.push(worker);
    worker.start();
    // The provisional rows first, each in a flush of its own, then the final ones.
    await produceKeyless(env.kafka, messages);
    await waitForSink(env.pool, (r) => r.has('twice'), 60_000);
    await sleep(1_000);
    await produceKeyless(env.kafka, [watermarkPusher(env)]);
    const rows = await waitForSink(env.pool, (r) => r.get('twice')?.is_final === true, 60_000);
    await sleep(1_000);
    const row = rows.get('twice')!;
    const owner = Number(row.user_id);
    expect([userA, userB]).toContain(owner);
    // The row is the rule applied to its own user's clicks.
    expect(row.click_id).toBe(owner === userA ? 'click-a' : 'click-b');
    const other = owner === userA ? userB : userA;
    const deadline = Date.now() + 30_000;
    let letters: { reason: string; raw: Buffer }[] = [];
    while (Date.now() < deadline) {
      ({ rows: letters } = await env.pool.query<{ reason: string; raw: Buffer }>(
        'SELECT reason, raw FROM commerce.dead_letters',
      ));
      if (letters.length > 0) break;
      await sleep(200);
    }
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toMatch(/^conflicting_duplicate: /);
    const raw = JSON.parse(letters[0]!.raw.toString()) as { checkout_id: string; user_id: number };
    expect(raw).toMatchObject({ checkout_id: 'twice', user_id: other });
    // The copy's provisional and final rows are both refused, into that one letter: counted once.
    const metrics = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(
      /clickstream_dead_letters_total\{topic="commerce\.attributed_checkouts",reason="conflicting_duplicate"\} 1\n/,
    );
  }, 120_000);

  it('repairs a restored snapshot whose watermark was poisoned by a far-future event', async () => {
    env = await createSpeedTestEnv();
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 30, products: 6 }));
    // A snapshot as an older version wrote it after a click dated 2099 went through.
    const poisoned = Date.UTC(2099, 0, 1);
    const sources = expectedSources(env.config.TOPIC_PARTITIONS);
    const snapshots = [];
    for (let p = 0; p < env.config.TOPIC_PARTITIONS; p++) {
      const engine = new AttributionPartition({
        allowedLatenessMs: env.config.ALLOWED_LATENESS_MS,
        expectedSources: sources,
      });
      for (const source of sources) engine.onMarker({ source, maxEventTime: poisoned, idle: true });
      engine.drain();
      snapshots.push({
        partition: p,
        kind: 'base' as const,
        chain: 'older-version',
        seq: 0,
        state: engine.encodeSnapshot(),
        offsets: {},
        watermark: engine.watermark,
      });
    }
    await saveSnapshots(env.pool, `${env.groupPrefix}-attributor`, snapshots);
    const messages = ruleStream(env, 23, 1);
    const worker = new WorkerProcess(env.childEnv);
    workers.push(worker);
    worker.start();
    await produceKeyless(env.kafka, [...messages, watermarkPusher(env)]);
    const rows = await expectRuleRows(env, messages, 120_000);
    expect([...rows.values()].filter((r) => r.is_late)).toEqual([]);
    expect(worker.output.join('')).toMatch(/restored watermark .* is ahead of the clock/);
  }, 120_000);
});

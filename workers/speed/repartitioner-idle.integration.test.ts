// Quiet source partitions are stamped idle in every case, and never past the wall clock:
// after a committed transaction (its marker ends the partition), after an aborted one (no data
// batch ever reaches the end), with no records at all left (deleted), while an open
// transaction holds records back (not stamped until it ends: they were appended earlier and
// could turn late), and with a known event time in the future (capped at the clock).
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpeedTestEnv, type SpeedTestEnv } from '../../test/speed/test-harness.ts';
import { InternalReader } from '../../test/speed/internal-reader.ts';
import {
  rawCheckout,
  rawClick,
  startRepartitioner,
  type RepartitionerRun,
} from '../../test/speed/repartitioner-run.ts';

const T0 = Date.now() - 3_600_000;
const IDLE_TIMEOUT_MS = 1_000;

describe('idle markers of quiet sources', () => {
  let env: SpeedTestEnv;
  let producer: Producer;
  let holder: Producer;
  let run: RepartitionerRun;
  let clicks: InternalReader;
  let checkouts: InternalReader;
  let openTxn: Awaited<ReturnType<Producer['transaction']>>;
  /** When each source partition went quiet: its idle markers must come after. */
  const quietFrom = new Map<string, number>();

  beforeAll(async () => {
    env = await createSpeedTestEnv({
      TOPIC_PARTITIONS: '3',
      IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
    });
    const { clicks: clickTopic, checkouts: checkoutTopic } = env.topics;
    // A transactional upstream producer, as Kafka Streams or Flink exactly-once sinks are.
    producer = env.kafka.producer({
      transactionalId: `${env.groupPrefix}-upstream`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const click = (id: string, partition: number, dt: number) => ({
      partition,
      value: rawClick(id, 1 + partition, T0 + dt),
    });

    // Before the repartitioner starts. clicks/2: only an aborted transaction: no committed
    // offset, no records to read.
    let txn = await producer.transaction();
    await txn.send({ topic: clickTopic, messages: [click('c1', 2, 6)] });
    await txn.abort();

    // checkouts/0: records written, then deleted: low = high > 0, nothing to read.
    const plain = env.kafka.producer();
    await plain.connect();
    await plain.send({
      topic: checkoutTopic,
      acks: -1,
      messages: [0, 1, 2].map((i) => ({ partition: 0, value: rawCheckout(`gone-${i}`, 1, T0) })),
    });
    await plain.disconnect();
    const admin = env.kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [checkoutTopic] }); // deleteTopicRecords needs it
    await admin.deleteTopicRecords({
      topic: checkoutTopic,
      partitions: [{ partition: 0, offset: '-1' }],
    });
    await admin.disconnect();

    // checkouts/1: a transaction left open (by a producer of its own), holding an old event back.
    holder = env.kafka.producer({
      transactionalId: `${env.groupPrefix}-holder`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await holder.connect();
    openTxn = await holder.transaction();
    await openTxn.send({
      topic: checkoutTopic,
      messages: [{ partition: 1, value: rawCheckout('held', 2, T0 + 7) }],
    });
    // checkouts/2: never written.

    clicks = await new InternalReader(env.kafka, env.topics.clicksByUser).start();
    checkouts = await new InternalReader(env.kafka, env.topics.checkoutsByUser).start();
    // Far in the future: as if a marker had carried a poisoned event time.
    run = await startRepartitioner(env, { knownMaxEventTime: () => Date.now() + 86_400_000 });

    quietFrom.set('clicks/2', Date.now());
    quietFrom.set('checkouts/0', Date.now());
    quietFrom.set('checkouts/2', Date.now());

    // While it runs. clicks/0: one committed transaction; the partition ends with its marker.
    txn = await producer.transaction();
    await txn.send({ topic: clickTopic, messages: [click('a1', 0, 1), click('a2', 0, 2)] });
    await txn.commit();
    quietFrom.set('clicks/0', Date.now());
    // clicks/1: a committed transaction, read; then an aborted one, which no data batch reaches.
    txn = await producer.transaction();
    await txn.send({ topic: clickTopic, messages: [click('b1', 1, 3)] });
    await txn.commit();
    const deadline = Date.now() + 30_000;
    while (!clicks.records.some((r) => r.kind === 'click' && r.click.clickId === 'b1')) {
      if (Date.now() > deadline) throw new Error('b1 never reached the internal topic');
      await new Promise((r) => setTimeout(r, 50));
    }
    txn = await producer.transaction();
    await txn.send({ topic: clickTopic, messages: [click('b2', 1, 4), click('b3', 1, 5)] });
    await txn.abort();
    quietFrom.set('clicks/1', Date.now());
  }, 120_000);

  afterAll(async () => {
    await run?.stop();
    await openTxn?.abort().catch(() => undefined);
    await producer?.disconnect();
    await holder?.disconnect();
    await clicks?.stop();
    await checkouts?.stop();
    await env?.cleanup();
  });

  const idleOf = (reader: InternalReader, source: string) =>
    reader.markers().filter((m) => m.marker.source === source && m.marker.idle);

  /** Idle markers of `source` sent after it went quiet. */
  const stampedAfterQuiet = (reader: InternalReader, source: string) =>
    idleOf(reader, source).filter((m) => m.readAt > quietFrom.get(source)!);

  it.each([
    ['clicks/0', 'ends with a commit marker'],
    ['clicks/1', 'ends with aborted records and their marker'],
    ['clicks/2', 'holds only an aborted transaction, nothing committed'],
    ['checkouts/0', 'had records, all deleted, nothing committed'],
    ['checkouts/2', 'was never written'],
  ])('stamps %s idle (it %s) within a few idle timeouts', async (source) => {
    const reader = source.startsWith('clicks') ? clicks : checkouts;
    await expect
      .poll(() => new Set(stampedAfterQuiet(reader, source).map((m) => m.partition)).size, {
        timeout: 15_000,
      })
      .toBe(3);
    const first = Math.min(...stampedAfterQuiet(reader, source).map((m) => m.readAt));
    expect(first - quietFrom.get(source)!).toBeLessThan(5 * IDLE_TIMEOUT_MS + 2_000);
  });

  it('never stamps past the wall clock, even with a future event time known', async () => {
    await expect
      .poll(() => idleOf(clicks, 'clicks/0').length, { timeout: 15_000 })
      .toBeGreaterThan(0);
    const idle = [...clicks.markers(), ...checkouts.markers()].filter((m) => m.marker.idle);
    expect(idle.length).toBeGreaterThan(0);
    for (const m of idle) expect(m.marker.maxEventTime!).toBeLessThanOrEqual(m.readAt);
    // …and still at least the event times it has read (the clock is far past them).
    for (const m of idleOf(clicks, 'clicks/0'))
      expect(m.marker.maxEventTime!).toBeGreaterThanOrEqual(T0 + 2);
  });

  it('does not stamp a partition whose open transaction holds records back, until it ends', async () => {
    // By now the other sources have been stamped several times over.
    await expect
      .poll(() => idleOf(checkouts, 'checkouts/2').length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(6);
    expect(idleOf(checkouts, 'checkouts/1')).toEqual([]);
    await openTxn.commit();
    await expect
      .poll(
        () =>
          checkouts.records.some((r) => r.kind === 'checkout' && r.checkout.checkoutId === 'held'),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
    await expect
      .poll(() => new Set(idleOf(checkouts, 'checkouts/1').map((m) => m.partition)).size, {
        timeout: 15_000,
      })
      .toBe(3);
    // The held event came before its source was stamped past it.
    const held = checkouts.records.find(
      (r) => r.kind === 'checkout' && r.checkout.checkoutId === 'held',
    )!;
    const firstIdle = idleOf(checkouts, 'checkouts/1').find((m) => m.partition === held.partition)!;
    expect(firstIdle.offset).toBeGreaterThan(held.offset);
    expect(run.fatal).toEqual([]);
  });
});

// The speed layer end to end on the real broker and database: keyless and
// mis-keyed input, out-of-order events within the lateness, duplicates,
// malformed messages, unknown users and a rename, compared row by row with the
// rule.
import { campaignOf, channelOf } from '../../lib/domain/channel.ts';
import { MIX_PRESETS } from '../../lib/simulator/channel-mix.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamGenerator, naiveTimestamp } from '../../lib/simulator/stream-generator.ts';
import { seedReferenceData } from '../../lib/simulator/traffic.ts';
import { withPrismaOn } from '../../lib/db/client.ts';
import { startSpeedLayer, type SpeedLayer } from './speed-layer.ts';
import { userPartition } from '../../lib/kafka/user-partition.ts';
import {
  createSpeedTestEnv,
  expectedAttribution,
  produceKeyless,
  readSink,
  waitForSink,
  type SpeedTestEnv,
} from '../../test/speed/test-harness.ts';

const USERS = 20;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

function generateStream(env: SpeedTestEnv) {
  const generator = new StreamGenerator(
    {
      users: USERS,
      products: 5,
      checkoutProbability: 0.4,
      clickToCheckoutMs: { min: 1_000, max: 90 * 60_000 },
      outOfOrderShare: 0.2,
      lateShare: 0,
      duplicateShare: 0.05,
      malformedShare: 0.02,
      allowedLatenessMs: env.config.ALLOWED_LATENESS_MS,
      // Campaign URLs: the rows carry the channel and campaign of their click.
      channelMix: MIX_PRESETS.balanced,
    },
    42,
  );
  const messages: { topic: string; value: string; kind: string }[] = [];
  for (let t = T0; t < T0 + 2 * 3_600_000; t += 2_000) {
    for (const m of generator.emit(t, 1)) {
      messages.push({
        topic: m.topic === 'clicks' ? env.topics.clicks : env.topics.checkouts,
        value: m.value,
        kind: m.kind,
      });
    }
  }
  // Checkouts of a product nobody clicked: the rule leaves them unattributed, and each gets its row.
  for (let i = 0; i < 25; i++) {
    messages.push({
      topic: env.topics.checkouts,
      kind: 'valid',
      value: JSON.stringify({
        checkout_id: `unclicked-${i}`,
        user_id: 1 + (i % USERS),
        product_id: 'never-clicked',
        payment_method: 'paypal',
        total_amount: 5,
        shipping_address: 's',
        billing_address: 'b',
        user_agent: 'ua',
        ip_address: '127.0.0.1',
        datetime_occured: naiveTimestamp(T0 + 2 * 3_600_000 + i),
      }),
    });
  }
  return messages;
}

/** A click far ahead in event time: once the other sources go idle, it finalizes everything before it. */
function watermarkPusher(env: SpeedTestEnv, at: number) {
  return {
    topic: env.topics.clicks,
    value: JSON.stringify({
      click_id: `flush-${at}`,
      user_id: 1,
      product_id: 'no-such-product',
      product: 'flush',
      price: 1,
      url: 'https://shop.example.com/',
      user_agent: 'test',
      ip_address: '127.0.0.1',
      datetime_occured: naiveTimestamp(at),
    }),
  };
}

describe('speed layer', () => {
  let env: SpeedTestEnv;
  let speed: SpeedLayer;
  let messages: { topic: string; value: string; kind: string }[];

  beforeAll(async () => {
    env = await createSpeedTestEnv();
    await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: USERS, products: 5 }));
    speed = await startSpeedLayer({
      config: env.config,
      kafka: env.kafka,
      pool: env.pool,
      log: () => undefined,
      groupPrefix: env.groupPrefix,
      metricsPort: 0,
    });
    messages = generateStream(env);
    // Half keyless, half with keys that have nothing to do with the user: neither may matter.
    const producer = env.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (let i = 0; i < messages.length; i += 500) {
      const chunk = messages.slice(i, i + 500);
      await producer.sendBatch({
        topicMessages: [env.topics.clicks, env.topics.checkouts].map((topic) => ({
          topic,
          messages: chunk
            .filter((m) => m.topic === topic)
            .map((m, j) =>
              j % 2 === 0 ? { value: m.value } : { key: `k${(i + j) % 7}`, value: m.value },
            ),
        })),
        acks: -1,
      });
    }
    await producer.disconnect();
    await produceKeyless(env.kafka, [watermarkPusher(env, T0 + 5 * 3_600_000)]);
  }, 120_000);

  afterAll(async () => {
    await speed?.stop();
    await env?.cleanup();
  });

  it('writes one final row per checkout, attributed exactly by the rule', async () => {
    const expected = expectedAttribution(messages, env.topics);
    expect(expected.size).toBeGreaterThan(500);
    const rows = await waitForSink(
      env.pool,
      (r) => r.size >= expected.size && [...r.values()].every((row) => row.is_final),
      90_000,
    );
    expect(rows.size).toBe(expected.size);
    const mismatches = [...expected].filter(([id, clickId]) => rows.get(id)?.click_id !== clickId);
    expect(mismatches).toEqual([]);
    const attributed = [...expected.values()].filter((c) => c !== null).length;
    expect(attributed).toBeGreaterThan(expected.size / 4);
    for (let i = 0; i < 25; i++) expect(rows.get(`unclicked-${i}`)?.click_id).toBeNull();
  });

  it("writes the channel and campaign of each row's click, live", async () => {
    const urlOf = new Map<string, string>();
    for (const m of messages) {
      if (m.topic !== env.topics.clicks || m.kind !== 'valid') continue;
      const click = JSON.parse(m.value) as { click_id: string; url: string };
      urlOf.set(click.click_id, click.url);
    }
    const { rows } = await env.pool.query<{
      click_id: string | null;
      click_channel: string | null;
      click_campaign: string | null;
    }>('SELECT click_id, click_channel, click_campaign FROM commerce.attributed_checkouts');
    const attributed = rows.filter((r) => r.click_id !== null);
    expect(attributed.length).toBeGreaterThan(100);
    const wrong = attributed.filter((r) => {
      const url = urlOf.get(r.click_id!) ?? '';
      return r.click_channel !== channelOf(url) || r.click_campaign !== campaignOf(url);
    });
    expect(wrong).toEqual([]);
    expect(new Set(attributed.map((r) => r.click_channel)).size).toBeGreaterThan(4);
    expect(rows.filter((r) => r.click_id === null).every((r) => r.click_channel === null)).toBe(
      true,
    );
  });

  it('stores every malformed message in the dead-letter store with its reason, and goes on', async () => {
    const malformed = messages.filter((m) => m.kind === 'malformed').length;
    expect(malformed).toBeGreaterThan(10);
    const { rows } = await env.pool.query<{ n: string; reasons: string[] }>(
      `SELECT count(*)::text AS n, array_agg(DISTINCT split_part(reason, ':', 1)) AS reasons
         FROM commerce.dead_letters WHERE topic = ANY($1::text[])`,
      [[env.topics.clicks, env.topics.checkouts]],
    );
    expect(Number(rows[0]!.n)).toBe(malformed);
    expect(rows[0]!.reasons.length).toBeGreaterThan(1);
    const sample = await env.pool.query<{ raw: Buffer; offset: string }>(
      'SELECT raw, "offset"::text FROM commerce.dead_letters LIMIT 1',
    );
    expect(sample.rows[0]!.raw.length).toBeGreaterThan(0);
  });

  it('writes checkouts of unknown users with an empty name, flagged', async () => {
    const rows = await readSink(env.pool);
    const unknown = [...rows.values()].filter((r) => r.user_id === String(USERS));
    expect(unknown.length).toBeGreaterThan(0);
    for (const r of unknown) {
      expect(r.is_unknown_user).toBe(true);
      expect(r.user_name).toBe('');
    }
    const known = [...rows.values()].filter((r) => r.user_id !== String(USERS));
    expect(known.every((r) => !r.is_unknown_user && r.user_name.length > 0)).toBe(true);
  });

  it('shows a renamed user in checkouts processed a second after the rename', async () => {
    await env.pool.query("UPDATE commerce.users SET username = 'renamed_three' WHERE id = 3");
    await new Promise((r) => setTimeout(r, 1000));
    const at = T0 + 5 * 3_600_000 + 1_000;
    await produceKeyless(env.kafka, [
      {
        topic: env.topics.checkouts,
        value: JSON.stringify({
          checkout_id: 'after-rename',
          user_id: 3,
          product_id: '1',
          payment_method: 'paypal',
          total_amount: 10.5,
          shipping_address: 'a',
          billing_address: 'b',
          user_agent: 'ua',
          ip_address: '127.0.0.1',
          datetime_occured: naiveTimestamp(at),
        }),
      },
    ]);
    const rows = await waitForSink(env.pool, (r) => r.has('after-rename'), 30_000);
    expect(rows.get('after-rename')!.user_name).toBe('renamed_three');
    expect(rows.get('after-rename')!.total_amount).toBe('10.50');
  });

  it('dead-letters a checkout id sent again under another user of the same internal partition', async () => {
    // Two users the repartitioner routes to one internal partition: its engine sees both copies
    // (across partitions, the sink's owner check decides; sink.integration.test.ts).
    const partitions = env.config.TOPIC_PARTITIONS;
    const owner = 2;
    const other = [3, 4, 5, 6, 7, 8, 9].find(
      (u) => userPartition(u, partitions) === userPartition(owner, partitions),
    )!;
    const at = T0 + 5 * 3_600_000 + 2_000;
    const copy = (userId: number, amount: number) => ({
      topic: env.topics.checkouts,
      value: JSON.stringify({
        checkout_id: 'same-partition-conflict',
        user_id: userId,
        product_id: '1',
        payment_method: 'card',
        total_amount: amount,
        shipping_address: 'a',
        billing_address: 'b',
        user_agent: 'ua',
        ip_address: '127.0.0.1',
        datetime_occured: naiveTimestamp(at),
      }),
    });
    await produceKeyless(env.kafka, [copy(owner, 5)]);
    await waitForSink(env.pool, (r) => r.has('same-partition-conflict'), 30_000);
    await produceKeyless(env.kafka, [copy(other, 7), copy(owner, 5)]);
    const deadline = Date.now() + 30_000;
    let letters: { reason: string; raw: Buffer }[] = [];
    while (letters.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      ({ rows: letters } = await env.pool.query<{ reason: string; raw: Buffer }>(
        `SELECT reason, raw FROM commerce.dead_letters WHERE topic = 'commerce.attributed_checkouts'
           AND reason LIKE 'conflicting_duplicate: checkout_id "same-partition-conflict"%'`,
      ));
    }
    expect(letters.map((l) => l.reason)).toEqual([
      `conflicting_duplicate: checkout_id "same-partition-conflict" is already written for user_id ${owner}; this copy has user_id ${other}`,
    ]);
    expect(JSON.parse(letters[0]!.raw.toString())).toMatchObject({
      user_id: other,
      total_amount: '7.00',
    });
    const row = (await readSink(env.pool)).get('same-partition-conflict')!;
    expect([row.user_id, row.total_amount]).toEqual([String(owner), '5.00']);
  });

  it('exposes the pipeline figures as Prometheus metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${speed.metricsPort}/metrics`)).text();
    expect(text).toMatch(/clickstream_events_consumed_total\{topic="clicks-[0-9a-f]+"\} \d+/);
    expect(text).toMatch(/clickstream_dead_letters_total\{/);
    expect(text).toMatch(/clickstream_end_to_end_latency_seconds_bucket\{/);
    expect(text).toMatch(/clickstream_watermark_delay_seconds\{partition="\d"\}/);
  });

  it('answers the retained clicks of a (user, product) for the detail page, and 400 on bad input', async () => {
    const base = `http://127.0.0.1:${speed.metricsPort}`;
    const ok = await fetch(`${base}/clicks?userId=1&productId=no-such-product`);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { clicks: { clickId: string; time: number }[] };
    expect(body.clicks.map((c) => c.clickId)).toContain(`flush-${T0 + 5 * 3_600_000}`);
    expect((await fetch(`${base}/clicks?userId=x`)).status).toBe(400);
  });
});

// Avro-framed source messages through the speed layer, on the real broker, database and schema
// registry (SCHEMA_REGISTRY_URL, started by `npm run stack:up`): a stream mixing JSON, Avro click
// v1 and v2 and Avro checkouts writes exactly the rows the same events write all in JSON; an
// unknown schema id, an undecodable body and a short frame are dead letters with their reasons,
// and the partition goes on; a registry that does not answer holds the partition back (no dead
// letter, nothing lost) until it answers, and then every row is written.
import net from 'node:net';
import type avro from 'avsc';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { withPrismaOn } from '../../lib/db/client.ts';
import { frameAvro } from '../../lib/domain/avro-frame.ts';
import {
  toCheckoutV1Record,
  toClickV1Record,
  toClickV2Record,
} from '../../lib/domain/avro-records.ts';
import { avroType } from '../../lib/domain/avro-types.ts';
import { parseCheckout, parseClick, type ParseOptions } from '../../lib/domain/events.ts';
import {
  CHECKOUT_V1_SCHEMA,
  CLICK_V1_SCHEMA,
  CLICK_V2_SCHEMA,
} from '../../lib/domain/wire-records.generated.ts';
import {
  registerWireSchemas,
  registryRequest,
  valueSubject,
} from '../../lib/schemas/registration.ts';
import { StreamGenerator, naiveTimestamp } from '../../lib/simulator/stream-generator.ts';
import { seedReferenceData } from '../../lib/simulator/traffic.ts';
import {
  createSpeedTestEnv,
  expectedAttribution,
  waitForSink,
  type SpeedTestEnv,
} from '../../test/speed/test-harness.ts';
import { startSpeedLayer, type SpeedLayer } from './speed-layer.ts';

const USERS = 20;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const READ: ParseOptions = { now: Date.now(), maxFutureSkewMs: 60_000 };

function registryUrl(): string {
  const url = loadConfig().SCHEMA_REGISTRY_URL;
  if (!url) throw new Error('SCHEMA_REGISTRY_URL is not set: run `npm run stack:up` first');
  return url;
}

interface Message {
  topic: string;
  value: Buffer;
  /** The JSON the generator wrote: the expected rows come from it. */
  json: string;
}

/** A generated stream (out of order, duplicates, malformed messages), all JSON. */
function generateStream(env: SpeedTestEnv): Message[] {
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
    },
    1515,
  );
  const messages: Message[] = [];
  for (let t = T0; t < T0 + 2 * 3_600_000; t += 2_000) {
    for (const m of generator.emit(t, 1)) {
      const topic = m.topic === 'clicks' ? env.topics.clicks : env.topics.checkouts;
      messages.push({ topic, value: Buffer.from(m.value), json: m.value });
    }
  }
  // A click far ahead in event time finalizes every checkout before it.
  const pusher = JSON.stringify({
    click_id: 'watermark-pusher',
    user_id: 1,
    product_id: 'none',
    product: 'none',
    price: 0,
    url: 'https://shop.example.com/',
    user_agent: 'ua',
    ip_address: '127.0.0.1',
    datetime_occured: naiveTimestamp(T0 + 10 * 3_600_000),
  });
  messages.push({ topic: env.topics.clicks, value: Buffer.from(pusher), json: pusher });
  return messages;
}

interface SchemaIds {
  clickV1: number;
  clickV2: number;
  checkoutV1: number;
}

/** Registers click v1 and checkout v1 (as the worker does), then click v2; their ids. */
async function registerSchemas(env: SpeedTestEnv): Promise<SchemaIds> {
  const url = registryUrl();
  const [clicks, checkouts] = await registerWireSchemas(url, {
    topics: env.topics,
    compatibility: 'FULL_TRANSITIVE',
  });
  const v2 = await registryRequest<{ id: number }>(
    url,
    'POST',
    `/subjects/${encodeURIComponent(valueSubject(env.topics.clicks))}/versions`,
    { schema: CLICK_V2_SCHEMA },
  );
  return { clickV1: clicks!.registeredId!, clickV2: v2.id, checkoutV1: checkouts!.registeredId! };
}

const types: Record<keyof SchemaIds, avro.Type> = {
  clickV1: avroType(CLICK_V1_SCHEMA),
  clickV2: avroType(CLICK_V2_SCHEMA),
  checkoutV1: avroType(CHECKOUT_V1_SCHEMA),
};

/**
 * The same events with two valid messages in three written as Avro (clicks alternating v1 and
 * v2), the malformed ones left as they are.
 */
function mixEncodings(env: SpeedTestEnv, messages: Message[], ids: SchemaIds): Message[] {
  let valid = 0;
  return messages.map((m) => {
    const isClick = m.topic === env.topics.clicks;
    const parsed = isClick ? parseClick(m.json, READ) : parseCheckout(m.json, READ);
    if (!parsed.ok || valid++ % 3 === 0) return m;
    let body: Buffer;
    let id: number;
    if (!isClick) {
      id = ids.checkoutV1;
      body = types.checkoutV1.toBuffer(toCheckoutV1Record(parsed.event as never));
    } else if (valid % 2 === 0) {
      id = ids.clickV1;
      body = types.clickV1.toBuffer(toClickV1Record(parsed.event as never));
    } else {
      id = ids.clickV2;
      body = types.clickV2.toBuffer(toClickV2Record(parsed.event as never));
    }
    return { ...m, value: frameAvro(id, body) };
  });
}

async function produce(
  kafka: Kafka,
  messages: readonly { topic: string; value: Buffer }[],
  partition?: number,
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 500) {
      const chunk = messages.slice(i, i + 500);
      const topics = [...new Set(chunk.map((m) => m.topic))];
      await producer.sendBatch({
        topicMessages: topics.map((topic) => ({
          topic,
          messages: chunk
            .filter((m) => m.topic === topic)
            .map((m) => ({ value: m.value, ...(partition === undefined ? {} : { partition }) })),
        })),
        acks: -1,
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Every column of the rows but the processing times. */
async function sinkRows(env: SpeedTestEnv): Promise<Record<string, unknown>[]> {
  const { rows } = await env.pool.query(
    `SELECT checkout_id, user_id::text, user_name, click_id, product_id, payment_method,
            total_amount::text, shipping_address, billing_address, user_agent, ip_address,
            checkout_time, click_time, is_final, is_unknown_user, is_late, "partition",
            click_channel, click_campaign
       FROM commerce.attributed_checkouts ORDER BY checkout_id`,
  );
  return rows;
}

async function deadLetters(env: SpeedTestEnv): Promise<{ offset: string; reason: string }[]> {
  const { rows } = await env.pool.query<{ offset: string; reason: string }>(
    'SELECT "offset"::text, reason FROM commerce.dead_letters ORDER BY topic, "partition", "offset"',
  );
  return rows;
}

async function startEnv(overrides: Record<string, string> = {}): Promise<SpeedTestEnv> {
  const env = await createSpeedTestEnv({ SCHEMA_REGISTRY_URL: registryUrl(), ...overrides });
  await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: USERS, products: 5 }));
  return env;
}

const start = (env: SpeedTestEnv) =>
  startSpeedLayer({
    config: env.config,
    kafka: env.kafka,
    pool: env.pool,
    log: () => undefined,
    groupPrefix: env.groupPrefix,
    metricsPort: 0,
  });

/** Waits until every checkout the rule expects has its final row. */
async function settle(env: SpeedTestEnv, messages: Message[], timeoutMs = 120_000) {
  const expected = expectedAttribution(
    messages.map((m) => ({ topic: m.topic, value: m.json })),
    env.topics,
  );
  const rows = await waitForSink(
    env.pool,
    (r) => r.size >= expected.size && [...r.values()].every((row) => row.is_final),
    timeoutMs,
  );
  return { expected, rows };
}

describe('a stream mixing JSON and Avro', () => {
  const runs: { env: SpeedTestEnv; speed?: SpeedLayer }[] = [];
  let jsonRows: Record<string, unknown>[];
  let mixedRows: Record<string, unknown>[];
  let mixed: SpeedTestEnv;
  let mixedSpeed: SpeedLayer;
  let mixedMessages: Message[];

  beforeAll(async () => {
    // All JSON first, then the same events mixed: one worker at a time on the shared cores.
    const json = await startEnv();
    runs.push({ env: json });
    const messages = generateStream(json);
    runs[0]!.speed = await start(json);
    await produce(json.kafka, messages);
    const { expected, rows } = await settle(json, messages);
    expect(rows.size).toBe(expected.size);
    jsonRows = await sinkRows(json);
    await runs[0]!.speed.stop();
    runs[0]!.speed = undefined;

    mixed = await startEnv();
    runs.push({ env: mixed });
    const ids = await registerSchemas(mixed);
    mixedMessages = mixEncodings(mixed, generateStream(mixed), ids);
    mixedSpeed = await start(mixed);
    runs[1]!.speed = mixedSpeed;
    await produce(mixed.kafka, mixedMessages);
    await settle(mixed, mixedMessages);
    mixedRows = await sinkRows(mixed);
  }, 300_000);

  afterAll(async () => {
    for (const run of runs) {
      await run.speed?.stop();
      await run.env.cleanup();
    }
  });

  it('holds Avro and JSON in one stream, Avro clicks of both versions', () => {
    const avro = mixedMessages.filter((m) => m.value[0] === 0);
    expect(avro.length).toBeGreaterThan(mixedMessages.length / 2);
    expect(new Set(avro.map((m) => m.value.readUInt32BE(1))).size).toBe(3);
  });

  it('writes exactly the rows the same events write all in JSON', () => {
    expect(jsonRows.length).toBeGreaterThan(500);
    expect(mixedRows).toEqual(jsonRows);
  });

  it('dead-letters the same malformed messages, and no Avro one', async () => {
    const letters = await deadLetters(mixed);
    const malformed = mixedMessages.filter((m) => {
      const isClick = m.topic === mixed.topics.clicks;
      return !(isClick ? parseClick(m.json, READ) : parseCheckout(m.json, READ)).ok;
    });
    expect(letters.length).toBe(malformed.length);
    expect(
      letters.every((l) => !/^(unknown_schema|invalid_avro|invalid_frame)/.test(l.reason)),
    ).toBe(true);
  });

  it('counts messages per topic, encoding and writer schema id', async () => {
    const text = await (await fetch(`http://127.0.0.1:${mixedSpeed.metricsPort}/metrics`)).text();
    const count = (topic: string, encoding: string, id: string) =>
      Number(
        new RegExp(
          `^clickstream_messages_by_schema_total\\{topic="${topic}",encoding="${encoding}",schema_id="${id}"\\} (\\d+)`,
          'm',
        ).exec(text)?.[1] ?? 0,
      );
    const byId = new Map<string, number>();
    for (const m of mixedMessages) {
      const key = `${m.topic}/${m.value[0] === 0 ? m.value.readUInt32BE(1) : ''}`;
      byId.set(key, (byId.get(key) ?? 0) + 1);
    }
    for (const [key, n] of byId) {
      const [topic, id] = key.split('/') as [string, string];
      expect(count(topic, id === '' ? 'json' : 'avro', id)).toBe(n);
    }
  });
});

describe('Avro messages that cannot be read', () => {
  let env: SpeedTestEnv;
  let speed: SpeedLayer;

  beforeAll(async () => {
    env = await startEnv();
    speed = await start(env);
  }, 60_000);

  afterAll(async () => {
    await speed?.stop();
    await env?.cleanup();
  });

  it('dead-letters an unknown schema id, an undecodable body and a short frame, and goes on', async () => {
    const ids = await registerSchemas(env);
    const checkout = (id: string, minute: number) =>
      JSON.stringify({
        checkout_id: id,
        user_id: 3,
        product_id: 'p',
        payment_method: 'card',
        total_amount: 12.5,
        shipping_address: 's',
        billing_address: 'b',
        user_agent: 'ua',
        ip_address: '127.0.0.1',
        datetime_occured: naiveTimestamp(T0 + minute * 60_000),
      });
    const avroCheckout = (json: string) => {
      const parsed = parseCheckout(json, READ);
      if (!parsed.ok) throw new Error(parsed.reason);
      return frameAvro(ids.checkoutV1, types.checkoutV1.toBuffer(toCheckoutV1Record(parsed.event)));
    };
    const unknownId = 2_000_000_000;
    const bad = [
      frameAvro(unknownId, avroCheckout(checkout('unknown-id', 1)).subarray(5)),
      frameAvro(ids.checkoutV1, Buffer.from([0x02, 0x61])),
      Buffer.from([0, 0, 0]),
    ];
    const good = [avroCheckout(checkout('after-1', 2)), Buffer.from(checkout('after-2', 3))];
    // One partition: the good ones are behind the bad ones.
    await produce(
      env.kafka,
      [avroCheckout(checkout('before', 0)), ...bad, ...good].map((value) => ({
        topic: env.topics.checkouts,
        value,
      })),
      0,
    );
    await produce(env.kafka, [
      {
        topic: env.topics.clicks,
        value: Buffer.from(
          JSON.stringify({
            click_id: 'pusher',
            user_id: 1,
            product_id: 'none',
            product: 'none',
            price: 0,
            url: 'u',
            user_agent: 'ua',
            ip_address: '127.0.0.1',
            datetime_occured: naiveTimestamp(T0 + 5 * 3_600_000),
          }),
        ),
      },
    ]);
    const rows = await waitForSink(
      env.pool,
      (r) => ['before', 'after-1', 'after-2'].every((id) => r.has(id)),
      60_000,
    );
    expect(rows.get('after-1')!.total_amount).toBe('12.50');
    const letters = await deadLetters(env);
    expect(letters.map((l) => l.reason)).toEqual([
      `unknown_schema: schema id ${unknownId} is not in the registry`,
      expect.stringMatching(
        new RegExp(`^invalid_avro: body does not decode with writer schema ${ids.checkoutV1}: `),
      ),
      expect.stringMatching(/^invalid_frame: 3 byte\(s\) starting with magic byte 0/),
    ]);
    expect(letters.map((l) => l.offset)).toEqual(['1', '2', '3']);
    expect(rows.has('unknown-id')).toBe(false);
  });
});

/** A TCP relay to the registry that lets nothing through until `open()`. */
function registryRelay(target: URL) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 80), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    server,
    open: (port: number) => new Promise<void>((r) => server.listen(port, '127.0.0.1', r)),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A port where nothing listens yet. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe('a schema registry that does not answer', () => {
  let env: SpeedTestEnv;
  let speed: SpeedLayer;
  const real = new URL(registryUrl());
  const relay = registryRelay(real);
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    const through = new URL(real.href);
    through.port = String(port);
    env = await startEnv({ SCHEMA_REGISTRY_URL: through.href });
    speed = await start(env);
  }, 60_000);

  afterAll(async () => {
    await speed?.stop();
    await relay.close().catch(() => undefined);
    await env?.cleanup();
  });

  it('holds the partition back without a dead letter, and writes every row once it answers', async () => {
    // The schemas are in the real registry; the worker reaches it only through the relay.
    const ids = await registerSchemas(env);
    // Valid events only: a malformed one would be a dead letter of its own.
    const all = mixEncodings(env, generateStream(env), ids).filter(
      (m) =>
        (m.topic === env.topics.clicks ? parseClick(m.json, READ) : parseCheckout(m.json, READ)).ok,
    );
    // Avro first on partition 0 of each topic: everything there waits for the registry.
    await produce(env.kafka, all, 0);
    await new Promise((r) => setTimeout(r, 8_000));
    expect(await deadLetters(env)).toEqual([]);
    expect((await sinkRows(env)).length).toBe(0);
    const health = await (await fetch(`http://127.0.0.1:${speed.metricsPort}/healthz`)).text();
    expect(health).toContain('schema-registry');

    await relay.open(port);
    const { expected, rows } = await settle(env, all);
    expect(rows.size).toBe(expected.size);
    expect([...expected].filter(([id, click]) => rows.get(id)?.click_id !== click)).toEqual([]);
    expect(await deadLetters(env)).toEqual([]);
  });
});

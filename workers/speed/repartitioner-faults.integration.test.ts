// What must never stop a source partition, or stop it silently: a dead letter the table will
// not take as it is, PostgreSQL away for a while, and a produce the broker refuses for good.
import net from 'node:net';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool, createPrisma } from '../../lib/db/client.ts';
import {
  createSpeedTestEnv,
  produceKeyless,
  type SpeedTestEnv,
} from '../../test/speed/test-harness.ts';
import { InternalReader } from '../../test/speed/internal-reader.ts';
import {
  rawClick,
  startRepartitioner,
  type RepartitionerRun,
} from '../../test/speed/repartitioner-run.ts';

const T0 = Date.now() - 86_400_000;

/** A TCP relay to PostgreSQL that can be taken away (connections refused and cut) and back. */
class Outage {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const clickIds = (reader: InternalReader) =>
  reader.records.flatMap((r) => (r.kind === 'click' ? [r.click.clickId] : []));

async function deadLetters(pool: pg.Pool, topic: string) {
  const { rows } = await pool.query<{ offset: string; reason: string; raw: Buffer }>(
    `SELECT "offset"::text, reason, raw FROM commerce.dead_letters WHERE topic = $1 ORDER BY "offset"`,
    [topic],
  );
  return rows;
}

describe('dead letters the table will not take as they are', () => {
  let env: SpeedTestEnv;
  let run: RepartitionerRun;
  let reader: InternalReader;

  beforeAll(async () => {
    env = await createSpeedTestEnv({ TOPIC_PARTITIONS: '1' });
    // As an operator might: a rule on reasons the parser's reasons can break.
    await env.pool.query(
      `ALTER TABLE commerce.dead_letters ADD CONSTRAINT no_secret CHECK (reason NOT LIKE '%secret%')`,
    );
    reader = await new InternalReader(env.kafka, env.topics.clicksByUser).start();
    run = await startRepartitioner(env);
  });

  afterAll(async () => {
    await run?.stop();
    await reader?.stop();
    await env?.cleanup();
  });

  it('stores a reason holding U+0000 (quoted by JSON.parse) and goes on', async () => {
    await produceKeyless(env.kafka, [
      { topic: env.topics.clicks, value: '{"click_id":\u0000}' },
      { topic: env.topics.clicks, value: rawClick('after-nul', 1, T0) },
    ]);
    await expect.poll(() => clickIds(reader), { timeout: 30_000 }).toContain('after-nul');
    const [letter] = await deadLetters(env.pool, env.topics.clicks);
    expect(letter?.reason).toMatch(/^invalid_json: .*\\u0000/);
    expect(letter?.raw.includes(0)).toBe(true); // the raw bytes are kept as they came
    expect(run.fatal).toEqual([]);
  });

  it('stores a letter refused for its reason with a plain one, the others as they are', async () => {
    await produceKeyless(env.kafka, [
      { topic: env.topics.clicks, value: 'not json' },
      { topic: env.topics.clicks, value: 'secret stuff' }, // JSON.parse quotes it in the reason
      { topic: env.topics.clicks, value: rawClick('after-refusal', 1, T0) },
    ]);
    await expect.poll(() => clickIds(reader), { timeout: 30_000 }).toContain('after-refusal');
    const letters = await deadLetters(env.pool, env.topics.clicks);
    const reasonOf = (raw: string) => letters.find((l) => l.raw.toString() === raw)?.reason;
    expect(reasonOf('not json')).toMatch(/^invalid_json: Unexpected token 'o'/);
    expect(reasonOf('secret stuff')).toBe('invalid_json: reason not storable (23514)');
    expect(run.fatal).toEqual([]);
  });
});

describe('PostgreSQL away', () => {
  let env: SpeedTestEnv;
  let run: RepartitionerRun;
  let reader: InternalReader;
  let outage: Outage;
  let relayedPool: pg.Pool;

  beforeAll(async () => {
    env = await createSpeedTestEnv({ TOPIC_PARTITIONS: '1' });
    const url = new URL(env.db.url);
    outage = new Outage({ host: url.hostname, port: Number(url.port) });
    await outage.up();
    url.hostname = '127.0.0.1';
    url.port = String(outage.port);
    relayedPool = createPgPool(url.toString(), { connectionTimeoutMillis: 1_000 });
    reader = await new InternalReader(env.kafka, env.topics.clicksByUser).start();
    run = await startRepartitioner(env, { db: createPrisma(env.db.url, { pool: relayedPool }) });
  });

  afterAll(async () => {
    await run?.stop();
    await reader?.stop();
    await relayedPool?.end();
    await outage?.down();
    await env?.cleanup();
  });

  it('retries the dead-letter insert, shows it in health, and stores it once back', async () => {
    await outage.down();
    await produceKeyless(env.kafka, [
      { topic: env.topics.clicks, value: 'broken' },
      { topic: env.topics.clicks, value: rawClick('after-outage', 1, T0) },
    ]);
    await expect
      .poll(() => run.health.degraded().map((d) => d.dependency), { timeout: 30_000 })
      .toContain('postgres:dead-letter insert');
    // Longer than kafkajs would retry an eachBatch error on its own with our client settings.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(clickIds(reader)).not.toContain('after-outage'); // offsets wait for the letter
    await outage.up();
    await expect.poll(() => clickIds(reader), { timeout: 30_000 }).toContain('after-outage');
    expect((await deadLetters(env.pool, env.topics.clicks)).map((l) => l.raw.toString())).toEqual([
      'broken',
    ]);
    expect(run.health.degraded()).toEqual([]);
    expect(run.log.some((l) => /postgres:dead-letter insert recovered/.test(l))).toBe(true);
    expect(run.fatal).toEqual([]);
  });
});

describe('a produce the broker refuses for good', () => {
  let env: SpeedTestEnv;
  let run: RepartitionerRun | undefined;

  beforeAll(async () => {
    env = await createSpeedTestEnv({ TOPIC_PARTITIONS: '1' });
  });

  afterEach(async () => {
    await run?.stop();
  });

  afterAll(async () => {
    await env?.cleanup();
  });

  it('fails loudly instead of leaving the consumer stopped', async () => {
    run = await startRepartitioner(env);
    // Lowered behind the running repartitioner's back: its next batch is refused
    // (MESSAGE_TOO_LARGE, not retriable). A restart would read the new limit.
    const admin = env.kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: env.topics.clicksByUser,
          configEntries: [{ name: 'max.message.bytes', value: '2000' }],
        },
      ],
    });
    await admin.disconnect();
    await produceKeyless(
      env.kafka,
      Array.from({ length: 20 }, (_, i) => ({
        topic: env.topics.clicks,
        // The click id travels to the internal topic (the URL does not): 20 of them outgrow 2000 bytes.
        value: rawClick(`big-${i}-`.padEnd(500, 'x'), 1, T0),
      })),
    );
    await expect.poll(() => run!.fatal.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    expect(String(run.fatal[0])).toMatch(/larger than the max message size/);
    expect(run.log.some((l) => /repartitioner cannot go on/.test(l))).toBe(true);
  });

  it('after a restart, cuts its produces to the lowered limit', async () => {
    const reader = await new InternalReader(env.kafka, env.topics.clicksByUser).start();
    try {
      run = await startRepartitioner(env);
      await expect.poll(() => new Set(clickIds(reader)).size, { timeout: 30_000 }).toBe(20);
      expect(run.fatal).toEqual([]);
    } finally {
      await reader.stop();
    }
  });
});

describe('a rebalance while a batch waits for PostgreSQL', () => {
  let env: SpeedTestEnv;
  let outage: Outage;
  let relayedPool: pg.Pool;
  const runs: RepartitionerRun[] = [];

  beforeAll(async () => {
    env = await createSpeedTestEnv({ TOPIC_PARTITIONS: '1' });
    const url = new URL(env.db.url);
    outage = new Outage({ host: url.hostname, port: Number(url.port) });
    await outage.up();
    url.hostname = '127.0.0.1';
    url.port = String(outage.port);
    relayedPool = createPgPool(url.toString(), { connectionTimeoutMillis: 1_000 });
  });

  afterAll(async () => {
    for (const r of runs) await r.stop();
    await relayedPool?.end();
    await outage?.down();
    await env?.cleanup();
  });

  it('is no bug: the waiting member rejoins, and the batch is done once PostgreSQL is back', async () => {
    const reader = await new InternalReader(env.kafka, env.topics.clicksByUser).start();
    try {
      const first = await startRepartitioner(env, {
        db: createPrisma(env.db.url, { pool: relayedPool }),
      });
      runs.push(first);
      await outage.down();
      await produceKeyless(env.kafka, [
        { topic: env.topics.clicks, value: 'broken' },
        { topic: env.topics.clicks, value: rawClick('after-rebalance', 1, T0) },
      ]);
      await expect
        .poll(() => first.health.degraded().map((d) => d.dependency), { timeout: 30_000 })
        .toContain('postgres:dead-letter insert');
      // A second member joins while the first waits: the first's heartbeat is answered
      // REBALANCE_IN_PROGRESS (not retriable for kafkajs), and the wait ends with it.
      const second = await startRepartitioner(env, {
        db: createPrisma(env.db.url, { pool: relayedPool }),
      });
      runs.push(second);
      await new Promise((r) => setTimeout(r, 8_000));
      expect(runs.flatMap((r) => r.fatal)).toEqual([]);
      await outage.up();
      await expect.poll(() => clickIds(reader), { timeout: 30_000 }).toContain('after-rebalance');
      expect((await deadLetters(env.pool, env.topics.clicks)).map((l) => l.raw.toString())).toEqual(
        ['broken'],
      );
      expect(runs.flatMap((r) => r.fatal)).toEqual([]);
    } finally {
      await reader.stop();
    }
  });
});

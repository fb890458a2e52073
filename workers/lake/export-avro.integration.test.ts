// The lake export reading Confluent-framed Avro beside JSON, per message, on the real broker.
// Without a registry that answers: a registry that does not answer fails the run with nothing
// committed and no dead letter; with no registry configured, Avro values are dead letters
// `unknown_schema` and JSON rows are written as always. With the real schema registry
// (SCHEMA_REGISTRY_URL): click v1 and v2 and checkout v1 become the same rows as their JSON (v2's
// session_id carried), on one thread and on worker threads; an id the registry does not know, a
// body that does not decode and a too-short frame are dead letters with their reason. Read back
// by delta-rs.
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { DeltaTable } from '../../lib/delta/delta-table.ts';
import { LocalObjectStore } from '../../lib/delta/local-store.ts';
import { subStore } from '../../lib/delta/object-store.ts';
import { frameAvro } from '../../lib/domain/avro-frame.ts';
import { CHECKOUT_V1_SCHEMA, CLICK_V2_SCHEMA } from '../../lib/domain/wire-records.generated.ts';
import { DEFAULT_MAX_FUTURE_SKEW_MS, parseCheckout, parseClick } from '../../lib/domain/events.ts';
import {
  avroEncoder,
  jsonEncoder,
  type AvroWriterSchemas,
  type MessageEncoder,
} from '../../lib/simulator/message-encoder.ts';
import { registerWriterSchemas } from '../../lib/simulator/schema-registration.ts';
import { StreamGenerator, defaultGeneratorSettings } from '../../lib/simulator/stream-generator.ts';
import { runLakeExport, type LakeExportOptions } from './export.ts';
import { SchemaRegistryUnavailableError } from './topic-rows.ts';
import {
  createLakeTestEnv,
  readWithDeltaRs,
  sorted,
  type LakeTestEnv,
} from '../../test/lake/lake-test-env.ts';

const config = loadConfig();
const registryUrl = config.SCHEMA_REGISTRY_URL;

const optionsFor =
  (env: () => LakeTestEnv) =>
  (overrides: Partial<LakeExportOptions> = {}): LakeExportOptions => ({
    lakeUri: env().lakeDir,
    topics: env().topics,
    kafka: env().kafka,
    pool: env().pool,
    groupIdPrefix: env().childEnv.CONSUMER_GROUP_PREFIX,
    ...overrides,
  });

interface Expected {
  /** click_id → the session_id its row must carry (null: none). */
  clicks: Map<string, string | null>;
  /** Valid click messages, duplicates included: the clicks table's rows. */
  clickMessages: number;
  /** checkout_id → exact amount. */
  checkouts: Map<string, string>;
  /** Values sent that were not JSON events: Avro the run cannot read, and malformed JSON. */
  deadMessages: number;
}

/**
 * Produces 30 s of generated traffic, each second with the next of `encoders` (checkouts go as
 * the same encoding), plus `extra` clicks values appended as they are.
 */
async function produce(
  env: LakeTestEnv,
  encoders: {
    encode: MessageEncoder;
    /** Its clicks' rows carry their session (click v2). */
    carriesSession: boolean;
    /** The run can read its events (false: Avro with no registry): else they are dead letters. */
    readable: boolean;
  }[],
  extra: Buffer[] = [],
): Promise<Expected> {
  const generator = new StreamGenerator(
    { ...defaultGeneratorSettings, malformedShare: 0.02, duplicateShare: 0.02 },
    11,
  );
  const expected: Expected = {
    clicks: new Map(),
    clickMessages: 0,
    checkouts: new Map(),
    deadMessages: extra.length,
  };
  const read = { now: Date.now(), maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS };
  const batches: Record<'clicks' | 'checkouts', { value: string | Buffer }[]> = {
    clicks: [],
    checkouts: [],
  };
  let t = Date.UTC(2026, 0, 1, 12);
  for (let second = 0; second < 30; second++, t += 1_000) {
    const { encode, carriesSession, readable } = encoders[second % encoders.length]!;
    for (const m of generator.emit(t, 10)) {
      batches[m.topic].push({ value: encode(m) });
      const parsed =
        m.topic === 'clicks' ? parseClick(m.value, read) : parseCheckout(m.value, read);
      if (!parsed.ok || !readable) expected.deadMessages++;
      else if ('clickId' in parsed.event) {
        expected.clicks.set(parsed.event.clickId, carriesSession ? m.sessionId! : null);
        expected.clickMessages++;
      } else expected.checkouts.set(parsed.event.checkoutId, parsed.event.totalAmount);
    }
  }
  batches.clicks.push(...extra.map((value) => ({ value })));
  const producer = env.kafka.producer();
  await producer.connect();
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: (['clicks', 'checkouts'] as const).map((name) => ({
        topic: env.topics[name],
        messages: batches[name],
      })),
    });
  } finally {
    await producer.disconnect();
  }
  return expected;
}

async function readLake(env: LakeTestEnv, lake: string) {
  const clicks = await readWithDeltaRs(env.python, path.join(lake, 'clicks'), {
    columns: ['click_id', 'session_id'],
  });
  const checkouts = await readWithDeltaRs(env.python, path.join(lake, 'checkouts'), {
    columns: ['checkout_id', 'total_amount'],
  });
  const dead = await readWithDeltaRs(env.python, path.join(lake, 'dead_letters'), {
    columns: ['reason'],
  });
  return { clicks, checkouts, dead };
}

/** The clicks and checkouts tables hold exactly the expected rows. */
async function expectRows(env: LakeTestEnv, lake: string, expected: Expected) {
  const { clicks, checkouts, dead } = await readLake(env, lake);
  expect(clicks.num_rows).toBe(expected.clickMessages);
  const clickRows = new Map(clicks.rows!.map(([id, session]) => [id as string, session]));
  expect(sorted([...clickRows.keys()])).toEqual(sorted([...expected.clicks.keys()]));
  const wrongSession = [...expected.clicks].filter(([id, s]) => clickRows.get(id) !== s);
  expect(wrongSession).toEqual([]);
  const checkoutRows = new Map(checkouts.rows!.map(([id, amount]) => [id as string, amount]));
  expect(sorted([...checkoutRows.keys()])).toEqual(sorted([...expected.checkouts.keys()]));
  const wrongAmount = [...expected.checkouts].filter(([id, a]) => checkoutRows.get(id) !== a);
  expect(wrongAmount).toEqual([]);
  expect(dead.num_rows).toBe(expected.deadMessages);
  return dead.rows!.map(([reason]) => reason as string);
}

/** A local port nothing listens on (taken, then released): connecting is refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('lake export of Avro without a registry that answers', () => {
  let env: LakeTestEnv;
  const options = optionsFor(() => env);
  let expected: Expected;
  /** Ids no registry gave: what matters here is that the run cannot learn them. */
  const unregistered: AvroWriterSchemas = {
    click: { id: 2_000_000_001, schema: CLICK_V2_SCHEMA },
    checkout: { id: 2_000_000_002, schema: CHECKOUT_V1_SCHEMA },
  };

  beforeAll(async () => {
    env = await createLakeTestEnv(2);
    const avro = avroEncoder(unregistered);
    // Every other second Avro: its values are the ones the run cannot read (not the malformed).
    expected = await produce(env, [
      { encode: jsonEncoder, carriesSession: false, readable: true },
      { encode: avro, carriesSession: false, readable: false },
    ]);
  }, 180_000);

  afterAll(async () => {
    await env?.cleanup();
  });

  const threadCounts = [
    ['on one thread', 0],
    ['on two worker threads', 2],
  ] as const;

  it.each(threadCounts)(
    'a registry that does not answer fails the run: nothing committed, nothing dead-lettered, %s',
    async (_name, threads) => {
      const lake = path.join(env.lakeDir, `registry-down-${threads}`);
      const error = await runLakeExport(
        options({
          lakeUri: lake,
          threads,
          // Nothing listens there: connection refused, a transient failure, retried, then given up.
          schemaRegistryUrl: `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`,
          registryWaitMs: 1_500,
        }),
      ).catch((e: unknown) => e);
      // From a worker thread the error arrives rebuilt: its name and message are what cross.
      expect(error).toMatchObject({ name: SchemaRegistryUnavailableError.name });
      expect((error as Error).message).toMatch(
        /the schema registry did not answer for 2 s while reading .*; nothing of this run is committed/,
      );
      for (const table of ['clicks', 'checkouts', 'dead_letters']) {
        const t = new DeltaTable(table, subStore(new LocalObjectStore(lake), table));
        expect((await t.loadSnapshot()).version, table).toBe(-1);
      }
      const { rows } = await env.pool.query(
        `SELECT status, error FROM commerce.job_runs ORDER BY started_at DESC LIMIT 1`,
      );
      expect(rows[0]).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/schema registry did not answer/),
      });
    },
    180_000,
  );

  it.each(threadCounts)(
    'with no registry configured, Avro values are dead letters and JSON is written as always, %s',
    async (_name, threads) => {
      const lake = path.join(env.lakeDir, `no-registry-${threads}`);
      await runLakeExport(options({ lakeUri: lake, threads }));
      // The Avro events are not rows: only the JSON seconds' events are.
      const reasons = await expectRows(env, lake, expected);
      const avroDead = reasons.filter((r) => r === 'unknown_schema: no schema registry configured');
      expect(avroDead.length).toBeGreaterThan(100);
    },
    180_000,
  );
});

describe('lake export of Avro through the real schema registry', () => {
  let env: LakeTestEnv;
  const options = optionsFor(() => env);
  let expected: Expected;
  let v2: AvroWriterSchemas;

  beforeAll(async () => {
    if (!registryUrl)
      throw new Error('SCHEMA_REGISTRY_URL is not set: these tests need the real registry');
    env = await createLakeTestEnv(2);
    const v1 = await registerWriterSchemas(
      registryUrl,
      env.topics,
      'v1',
      config.SCHEMA_COMPATIBILITY,
    );
    v2 = await registerWriterSchemas(registryUrl, env.topics, 'v2', config.SCHEMA_COMPATIBILITY);
    expected = await produce(
      env,
      [
        { encode: jsonEncoder, carriesSession: false, readable: true },
        { encode: avroEncoder(v1), carriesSession: false, readable: true },
        { encode: avroEncoder(v2), carriesSession: true, readable: true },
      ],
      [
        // An id the registry never gave, a body that is not the schema's, a frame too short.
        frameAvro(2_000_000_000, Buffer.from([2, 0x61])),
        frameAvro(v2.click.id, Buffer.from([0xff, 0xff, 0xff])),
        Buffer.from([0, 0, 1]),
      ],
    );
  }, 180_000);

  afterAll(async () => {
    await env?.cleanup();
  });

  it.each([
    ['on one thread', 0],
    ['on two worker threads', 2],
  ])(
    'writes Avro v1, v2 and JSON as the same rows, %s',
    async (_name, threads) => {
      const lake = path.join(env.lakeDir, `threads-${threads}`);
      await runLakeExport(options({ lakeUri: lake, threads, schemaRegistryUrl: registryUrl }));
      const reasons = await expectRows(env, lake, expected);
      expect([...expected.clicks.values()].filter((s) => s !== null).length).toBeGreaterThan(50);
      for (const pattern of [
        /^unknown_schema: schema id 2000000000 /,
        /^invalid_avro: /,
        /^invalid_frame: 3 byte/,
      ]) {
        expect(reasons.filter((r) => pattern.test(r))).toHaveLength(1);
      }
    },
    180_000,
  );
});

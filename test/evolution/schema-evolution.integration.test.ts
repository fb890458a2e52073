// Schema evolution end to end, on the real registry, broker and PostgreSQL with a real speed
// worker process and the lake export: producers send clicks as Avro v1 (checkouts as JSON and
// Avro, alternately), the worker is killed with SIGKILL and restarted from its snapshot, the
// producers switch to click v2 (session_id) mid-stream; the final attributed rows are exactly the
// rule's (test/domain/oracle.ts), the lake's clicks table (created before v2 existed) evolves to
// have session_id, null on the v1 rows and the session on the v2 ones, read back by delta-rs; and
// the registry refuses click v3, which drops a required field. The same switch by JSON producers
// (session_id added to the JSON) runs without a registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { withPrismaOn } from '../../lib/db/client.ts';
import { DEFAULT_MAX_FUTURE_SKEW_MS, parseClick } from '../../lib/domain/events.ts';
import { CLICK_V3_INCOMPATIBLE_SCHEMA } from '../../lib/domain/wire-records.generated.ts';
import {
  avroEncoder,
  jsonEncoder,
  jsonV2Encoder,
  type MessageEncoder,
} from '../../lib/simulator/message-encoder.ts';
import {
  SchemaRegistrationRefused,
  registerSchema,
  registerWriterSchemas,
  valueSubject,
} from '../../lib/simulator/schema-registration.ts';
import { StreamGenerator, type GeneratedMessage } from '../../lib/simulator/stream-generator.ts';
import { seedReferenceData } from '../../lib/simulator/traffic.ts';
import { runLakeExport } from '../../workers/lake/export.ts';
import { writeOldClicksTable } from '../lake/clicks-before-v2.ts';
import { readWithDeltaRs } from '../lake/lake-test-env.ts';
import { ensurePythonEnv } from '../../scripts/python-env.ts';
import {
  STREAM_T0,
  createSpeedTestEnv,
  expectRuleRows,
  watermarkPusher,
  type SpeedTestEnv,
} from '../speed/test-harness.ts';
import { WorkerProcess } from '../speed/worker-process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const registryUrl = loadConfig().SCHEMA_REGISTRY_URL;

let env: SpeedTestEnv;
let lakeDir: string;
const worker = () => new WorkerProcess(env.childEnv);
const workers: WorkerProcess[] = [];

/** Three hours of generated traffic from STREAM_T0: 30 users, 6 products, disorder, duplicates. */
function generatedStream(): GeneratedMessage[] {
  const generator = new StreamGenerator(
    {
      users: 30,
      products: 6,
      checkoutProbability: 0.4,
      clickToCheckoutMs: { min: 1_000, max: 80 * 60_000 },
      outOfOrderShare: 0.2,
      lateShare: 0,
      duplicateShare: 0.03,
      malformedShare: 0,
      allowedLatenessMs: env.config.ALLOWED_LATENESS_MS,
    },
    23,
  );
  const out: GeneratedMessage[] = [];
  for (let t = STREAM_T0; t < STREAM_T0 + 3 * 3_600_000; t += 2_000)
    out.push(...generator.emit(t, 1));
  return out;
}

/** Clicks with `encode`; checkouts alternately as generated (JSON) and with `encode`. */
function encodeAll(messages: GeneratedMessage[], encode: MessageEncoder) {
  let checkouts = 0;
  return messages.map((m) => ({
    topic: m.topic === 'clicks' ? env.topics.clicks : env.topics.checkouts,
    value: m.topic === 'clicks' || checkouts++ % 2 === 1 ? encode(m) : m.value,
  }));
}

async function produce(messages: { topic: string; value: string | Buffer }[]): Promise<void> {
  const producer = env.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) {
      const byTopic = new Map<string, { value: string | Buffer }[]>();
      for (const m of messages.slice(i, i + 1000))
        byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), { value: m.value }]);
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
        acks: -1,
      });
    }
  } finally {
    await producer.disconnect();
  }
}

async function setUp(registry: string | undefined): Promise<void> {
  env = await createSpeedTestEnv({
    ...(registry ? { SCHEMA_REGISTRY_URL: registry } : {}),
    SNAPSHOT_INTERVAL_MS: '400',
  });
  await withPrismaOn(env.pool, (db) => seedReferenceData(db, { users: 30, products: 6 }));
  lakeDir = mkdtempSync(path.join(tmpdir(), 'evolution-lake-'));
}

async function tearDown(): Promise<void> {
  for (const w of workers.splice(0)) await w.kill();
  await env?.cleanup();
  if (lakeDir) rmSync(lakeDir, { recursive: true, force: true });
}

/**
 * The scenario: v1 traffic in two halves with the worker SIGKILLed between them and restarted,
 * a lake export, the switch to v2 (`v2()` gives its encoder, registering what it needs), the
 * rest of the traffic; then the rule's rows exactly, and a second export whose clicks table has
 * session_id: null on every v1 row, the session on every v2 row.
 */
async function switchMidStream(
  registry: string | undefined,
  v1: () => Promise<MessageEncoder>,
  v2: () => Promise<MessageEncoder>,
): Promise<void> {
  const messages = generatedStream();
  const half = Math.floor(messages.length / 2);
  const [before, after] = [messages.slice(0, half), messages.slice(half)];

  // A lake from before click v2: its clicks table has no session_id column yet.
  await writeOldClicksTable(lakeDir, []);
  const exportOptions = {
    lakeUri: lakeDir,
    topics: env.topics,
    kafka: env.kafka,
    pool: env.pool,
    groupIdPrefix: env.groupPrefix,
    schemaRegistryUrl: registry,
  };

  const first = worker();
  workers.push(first);
  first.start();
  const sentBefore = encodeAll(before, await v1());
  const cut = Math.floor(sentBefore.length / 2);
  await produce(sentBefore.slice(0, cut));
  await sleep(2_500);
  // Killed without warning between the two halves of v1 traffic; restarted from its snapshot.
  await first.kill('SIGKILL');
  await produce(sentBefore.slice(cut));
  const second = worker();
  workers.push(second);
  second.start();
  await runLakeExport(exportOptions);

  // The producers switch to click v2.
  await produce(encodeAll(after, await v2()));
  await produce([watermarkPusher(env)]);

  // The oracle reads the same events from their JSON form.
  const json = [
    ...messages.map((m) => ({
      topic: m.topic === 'clicks' ? env.topics.clicks : env.topics.checkouts,
      value: m.value,
    })),
    watermarkPusher(env),
  ];
  await expectRuleRows(env, json, 150_000);

  await runLakeExport(exportOptions);
  const clicks = await readWithDeltaRs(await ensurePythonEnv(), path.join(lakeDir, 'clicks'), {
    columns: ['click_id', 'session_id'],
  });
  expect(clicks.schema.at(-1)).toEqual({ name: 'session_id', type: 'string', nullable: true });
  const read = { now: Date.now(), maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS };
  const clickId = (m: GeneratedMessage) =>
    (parseClick(m.value, read) as { event: { clickId: string } }).event.clickId;
  const sessionOf = new Map<string, string | null>();
  for (const m of before) if (m.topic === 'clicks') sessionOf.set(clickId(m), null);
  for (const m of after) if (m.topic === 'clicks') sessionOf.set(clickId(m), m.sessionId!);
  const rows = clicks.rows!.filter(([id]) => id !== 'watermark-pusher');
  expect(new Set(rows.map(([id]) => id))).toEqual(new Set(sessionOf.keys()));
  const wrong = rows.filter(([id, session]) => sessionOf.get(id as string) !== session);
  expect(wrong).toEqual([]);
  expect(rows.filter(([, s]) => s === null).length).toBeGreaterThan(100);
  expect(rows.filter(([, s]) => s !== null).length).toBeGreaterThan(100);
}

describe('click schema v1 → v2 mid-stream, Avro through the real registry', () => {
  beforeAll(async () => {
    if (!registryUrl)
      throw new Error('SCHEMA_REGISTRY_URL is not set: this test needs the real registry');
    await setUp(registryUrl);
  }, 120_000);
  afterAll(tearDown);

  it('gives the rule’s rows across a SIGKILL, and a lake clicks table evolved to session_id', async () => {
    const compatibility = env.config.SCHEMA_COMPATIBILITY;
    let v1Id = 0;
    await switchMidStream(
      registryUrl,
      async () => {
        const v1 = await registerWriterSchemas(registryUrl!, env.topics, 'v1', compatibility);
        v1Id = v1.click.id;
        return avroEncoder(v1);
      },
      async () => {
        const v2 = await registerWriterSchemas(registryUrl!, env.topics, 'v2', compatibility);
        expect(v2.click.id).not.toBe(v1Id);
        return avroEncoder(v2);
      },
    );
  }, 300_000);

  it('the registry refuses click v3 (a required field removed) and says why', async () => {
    const error = await registerSchema(
      registryUrl!,
      valueSubject(env.topics.clicks),
      CLICK_V3_INCOMPATIBLE_SCHEMA,
      env.config.SCHEMA_COMPATIBILITY,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaRegistrationRefused);
    expect(error).toMatchObject({ status: 409 });
    expect((error as Error).message).toMatch(/refused the schema for clicks-\w+-value \(409\): \S/);
  });
});

describe('click v1 → v2 mid-stream by JSON producers (session_id added), no registry', () => {
  beforeAll(() => setUp(undefined), 120_000);
  afterAll(tearDown);

  it('gives the rule’s rows across a SIGKILL, and a lake clicks table evolved to session_id', async () => {
    await switchMidStream(
      undefined,
      () => Promise.resolve(jsonEncoder),
      () => Promise.resolve(jsonV2Encoder),
    );
  }, 300_000);
});

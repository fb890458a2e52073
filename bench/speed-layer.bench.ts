// Speed-layer benchmark on this machine, broker and database included:
//  1. sustained end-to-end throughput: a backlog of N events through one worker process,
//  2. provisional and final latency at a fixed 10k events/s (produce time → row written),
//  3. heap bytes per retained click (fresh process, after GC),
//  4. recovery after kill -9 with ~1M retained clicks (snapshot load + time to the next row).
// Prints figures and writes bench/results/speed-layer.json. Sizes: --events, --seconds, --retained.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { projectRoot } from '../lib/config.ts';
import {
  StreamGenerator,
  naiveTimestamp,
  type GeneratorSettings,
} from '../lib/simulator/stream-generator.ts';
import { seedReferenceData } from '../lib/simulator/traffic.ts';
import { withPrismaOn } from '../lib/db/client.ts';
import { createSpeedTestEnv, type SpeedTestEnv } from '../test/speed/test-harness.ts';
import { buildWorker } from '../scripts/build-worker.ts';
import { WorkerProcess } from '../test/speed/worker-process.ts';
import { benchArgs, PRODUCT_SESSION_TIMEOUT } from './bench-support.ts';

const args = benchArgs();
const EVENTS = Number(args.get('events') ?? 6_000_000);
const LATENCY_SECONDS = Number(args.get('seconds') ?? 60);
const LATENCY_RATE = Number(args.get('rate') ?? 10_000);
const RETAINED = Number(args.get('retained') ?? 1_000_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => console.log(`[bench:speed] ${m}`);

const settings: GeneratorSettings = {
  users: 10_000,
  products: 500,
  checkoutProbability: 0.2,
  clickToCheckoutMs: { min: 1_000, max: 30 * 60_000 },
  outOfOrderShare: 0.05,
  lateShare: 0,
  duplicateShare: 0.005,
  malformedShare: 0.001,
  allowedLatenessMs: 15_000,
};

type Env = SpeedTestEnv;

/** A fresh test database and topics (6 partitions), production-like intervals, seeded users. */
async function environment(overrides: Record<string, string> = {}): Promise<Env> {
  const env = await createSpeedTestEnv({
    TOPIC_PARTITIONS: '6',
    IDLE_TIMEOUT_MS: '2000',
    SNAPSHOT_INTERVAL_MS: '5000',
    SINK_FLUSH_INTERVAL_MS: '100',
    ...PRODUCT_SESSION_TIMEOUT,
    ...overrides,
  });
  await withPrismaOn(env.pool, (db) => seedReferenceData(db, settings));
  return env;
}

/** Produces messages as fast as the broker takes them; returns checkout count and send times. */
async function produce(
  kafka: Kafka,
  topics: Env['topics'],
  batches: AsyncIterable<{ topic: 'clicks' | 'checkouts'; value: string }[]>,
  onSent?: (checkoutIds: string[], at: number) => void,
): Promise<{ events: number; checkouts: number }> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let events = 0;
  let checkouts = 0;
  try {
    for await (const batch of batches) {
      const at = Date.now();
      const clicks = batch
        .filter((m) => m.topic === 'clicks')
        .map((m) => ({ value: m.value, timestamp: String(at) }));
      const outs = batch
        .filter((m) => m.topic === 'checkouts')
        .map((m) => ({ value: m.value, timestamp: String(at) }));
      await producer.sendBatch({
        topicMessages: [
          { topic: topics.clicks, messages: clicks },
          { topic: topics.checkouts, messages: outs },
        ].filter((t) => t.messages.length > 0),
        acks: -1,
        compression: 0,
      });
      events += batch.length;
      checkouts += outs.length;
      onSent?.(
        outs.map((m) => (JSON.parse(m.value) as { checkout_id?: string }).checkout_id ?? ''),
        at,
      );
    }
  } finally {
    await producer.disconnect();
  }
  return { events, checkouts };
}

async function countRows(pool: Env['pool'], finalOnly = false): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM commerce.attributed_checkouts${finalOnly ? ' WHERE is_final' : ''}`,
  );
  return Number(rows[0]!.n);
}

async function throughput(): Promise<Record<string, number>> {
  const env = await environment();
  try {
    const generator = new StreamGenerator(settings, 1);
    const t0 = Date.UTC(2026, 10, 1, 0, 0, 0);
    let produced = 0;
    log(`producing a backlog of ${EVENTS.toLocaleString()} events…`);
    const started = Date.now();
    async function* backlog() {
      let t = t0;
      while (produced < EVENTS) {
        const batch = generator.emit(t, 4000).filter((m) => m.kind !== 'malformed');
        t += 1000;
        produced += batch.length;
        yield batch;
      }
    }
    const sent = await produce(env.kafka, env.topics, backlog());
    log(
      `produced ${sent.events.toLocaleString()} events in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const worker = new WorkerProcess(env.childEnv, await buildWorker());
    const runStarted = Date.now();
    worker.start();
    // Done when the repartitioner has consumed every event and the attributor has no lag left.
    let firstConsumedAt = 0;
    let doneAt = 0;
    while (!doneAt) {
      await sleep(250);
      const m = await scrape(worker);
      if (!m) continue;
      if (m.consumed > 0 && !firstConsumedAt) firstConsumedAt = Date.now();
      process.stdout.write(
        `\r[bench:speed] consumed ${m.consumed.toLocaleString()} / ${sent.events.toLocaleString()}, attributor lag ${m.internalLag.toLocaleString()}   `,
      );
      if (m.consumed >= sent.events && m.internalLag === 0 && m.internalSeen) doneAt = Date.now();
      if (Date.now() - runStarted > 30 * 60_000)
        throw new Error('throughput run did not finish in 30 min');
    }
    process.stdout.write('\n');
    await sleep(1000);
    const rows = await countRows(env.pool);
    await worker.kill('SIGTERM');
    const elapsed = (doneAt - runStarted) / 1000;
    const steady = (doneAt - firstConsumedAt) / 1000;
    const eventsPerSecond = sent.events / elapsed;
    log(
      `throughput: ${Math.round(eventsPerSecond).toLocaleString()} events/s end to end over ${elapsed.toFixed(1)} s ` +
        `including start-up (${Math.round(sent.events / steady).toLocaleString()} events/s over ${steady.toFixed(1)} s from the first event); ${rows.toLocaleString()} checkout rows`,
    );
    return {
      events: sent.events,
      seconds: elapsed,
      eventsPerSecond,
      steadySeconds: steady,
      steadyEventsPerSecond: sent.events / steady,
      checkoutRows: rows,
    };
  } finally {
    await env.cleanup();
  }
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function latency(): Promise<Record<string, number>> {
  const env = await environment();
  const worker = new WorkerProcess(env.childEnv, await buildWorker());
  try {
    worker.start();
    await sleep(8000); // group join
    // Checkouts follow their click within seconds, so the window holds many of them.
    const generator = new StreamGenerator(
      {
        ...settings,
        clickToCheckoutMs: { min: 1_000, max: 5_000 },
        outOfOrderShare: 0,
        duplicateShare: 0,
        malformedShare: 0,
      },
      2,
    );
    const sentAt = new Map<string, number>();
    const tickMs = 50;
    const clicksPerTick = (LATENCY_RATE / (1 + settings.checkoutProbability)) * (tickMs / 1000);
    log(`live stream at ${LATENCY_RATE.toLocaleString()} events/s for ${LATENCY_SECONDS} s…`);
    const end = Date.now() + LATENCY_SECONDS * 1000;
    let carry = 0;
    async function* live() {
      while (Date.now() < end) {
        const tick = Date.now();
        carry += clicksPerTick;
        const n = Math.floor(carry);
        carry -= n;
        yield generator.emit(tick, n);
        await sleep(Math.max(0, tickMs - (Date.now() - tick)));
      }
    }
    const sent = await produce(env.kafka, env.topics, live(), (ids, at) => {
      for (const id of ids) sentAt.set(id, at);
    });
    await sleep(LATENCY_SECONDS > 20 ? 25_000 : 20_000); // let rows become final (lateness 15 s + idle)
    const { rows } = await env.pool.query<{
      checkout_id: string;
      first_ms: string;
      final_ms: string | null;
    }>(
      `SELECT checkout_id, (extract(epoch FROM first_written_at) * 1000)::bigint::text AS first_ms,
              CASE WHEN is_final THEN (extract(epoch FROM processed_at) * 1000)::bigint::text END AS final_ms
         FROM commerce.attributed_checkouts`,
    );
    const provisional: number[] = [];
    const final: number[] = [];
    for (const r of rows) {
      const at = sentAt.get(r.checkout_id);
      if (at === undefined) continue;
      provisional.push(Number(r.first_ms) - at);
      if (r.final_ms) final.push(Number(r.final_ms) - at);
    }
    provisional.sort((a, b) => a - b);
    final.sort((a, b) => a - b);
    const result = {
      rate: LATENCY_RATE,
      seconds: LATENCY_SECONDS,
      events: sent.events,
      checkouts: sentAt.size,
      rowsSeen: provisional.length,
      provisionalP50Ms: quantile(provisional, 0.5),
      provisionalP99Ms: quantile(provisional, 0.99),
      finalRows: final.length,
      finalP50Ms: quantile(final, 0.5),
      finalP99Ms: quantile(final, 0.99),
    };
    log(
      `latency at ${LATENCY_RATE}/s: provisional p50 ${result.provisionalP50Ms} ms, p99 ${result.provisionalP99Ms} ms; ` +
        `final p50 ${result.finalP50Ms} ms, p99 ${result.finalP99Ms} ms (${final.length}/${provisional.length} final)`,
    );
    return result;
  } finally {
    await worker.kill('SIGTERM');
    await env.cleanup();
  }
}

/** Bytes per retained click for 1M UUID clicks, dense (20 per key) and sparse (1 per key). */
function heapPerClick(): Record<string, Record<string, number>> {
  const script = path.join(projectRoot, 'test/domain/measure-click-store.ts');
  const measure = (users: number, products: number) => {
    const out = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, String(users), String(products), '1000000'],
      { cwd: projectRoot, encoding: 'utf8' },
    );
    if (out.status !== 0) throw new Error(`heap measurement failed: ${out.stderr}`);
    return JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, number>;
  };
  const dense = measure(10_000, 5);
  const sparse = measure(50_000, 20);
  log(
    `heap per retained click (1M clicks): ${dense.bytesPerClick!.toFixed(1)} B at 20 clicks per (user, product), ` +
      `${sparse.bytesPerClick!.toFixed(1)} B at 1 click per key`,
  );
  return { dense, sparse };
}

async function recovery(): Promise<Record<string, number>> {
  // A short session: the killed worker's partitions go to the restarted one once it expires, and
  // "restart → next row" would otherwise be mostly the product's 30 s of waiting for it.
  const env = await environment({ KAFKA_SESSION_TIMEOUT_MS: '6000' });
  const worker = new WorkerProcess(
    { ...env.childEnv, SNAPSHOT_INTERVAL_MS: '2000' },
    await buildWorker(),
  );
  try {
    // RETAINED clicks within 50 minutes of event time: none can be evicted.
    const t0 = Date.UTC(2026, 10, 2, 0, 0, 0);
    const generator = new StreamGenerator(
      {
        ...settings,
        users: 100_000,
        products: 1000,
        checkoutProbability: 0,
        duplicateShare: 0,
        malformedShare: 0,
        outOfOrderShare: 0,
      },
      3,
    );
    const perStep = Math.ceil(RETAINED / 3000);
    let made = 0;
    async function* clicks() {
      for (let i = 0; made < RETAINED; i++) {
        const batch = generator.emit(t0 + i * 1000, perStep);
        made += batch.length;
        yield batch;
      }
    }
    log(`building ${RETAINED.toLocaleString()} retained clicks…`);
    await produce(env.kafka, env.topics, clicks());
    worker.start();
    // Wait until the worker's snapshots hold them all.
    for (;;) {
      await sleep(2000);
      const { rows } = await env.pool.query<{ bytes: string }>(
        `SELECT ((SELECT coalesce(sum(size_bytes), 0) FROM commerce.speed_snapshots) +
                 (SELECT coalesce(sum(size_bytes), 0) FROM commerce.speed_snapshot_deltas))::text AS bytes`,
      );
      const retained = await fetchRetained(worker);
      process.stdout.write(
        `\r[bench:speed] retained ${retained.toLocaleString()}, snapshot ${(Number(rows[0]!.bytes) / 1e6).toFixed(1)} MB   `,
      );
      if (retained >= RETAINED * 0.99) {
        await sleep(3000); // one more snapshot after the last batch
        break;
      }
    }
    process.stdout.write('\n');
    // Bases and the deltas after them: what a restart reads.
    const stored = (
      await env.pool.query<{ bases: string; deltas: string; n: string }>(
        `SELECT (SELECT coalesce(sum(size_bytes), 0) FROM commerce.speed_snapshots)::text AS bases,
                (SELECT coalesce(sum(size_bytes), 0) FROM commerce.speed_snapshot_deltas)::text AS deltas,
                (SELECT count(*) FROM commerce.speed_snapshot_deltas)::text AS n`,
      )
    ).rows[0]!;
    const snapshotBytes = Number(stored.bases) + Number(stored.deltas);
    const taken = await fetchSnapshotCost(worker);
    log(
      `snapshots while the state grew: ${taken.count}, ${taken.meanMs.toFixed(0)} ms each on average (encode + write), the last ${(taken.lastBytes / 1e6).toFixed(2)} MB`,
    );
    // Steady state: the large state stays, 5,000 new clicks a second arrive for 20 s (inside the
    // hour, so nothing is evicted). What each snapshot costs now is what a running worker pays.
    const steadyStart = taken;
    const live = new StreamGenerator(
      {
        ...settings,
        users: 100_000,
        products: 1000,
        checkoutProbability: 0,
        duplicateShare: 0,
        malformedShare: 0,
        outOfOrderShare: 0,
      },
      4,
    );
    for (let second = 0; second < 20; second++) {
      const started = Date.now();
      await produce(
        env.kafka,
        env.topics,
        (async function* () {
          yield live.emit(t0 + 3000_000 + second * 1000, 5000);
        })(),
      );
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
    await sleep(3000);
    const steady = await fetchSnapshotCost(worker);
    const steadyCount = steady.count - steadyStart.count;
    const steadyMeanMs =
      steadyCount > 0
        ? (steady.meanMs * steady.count - steadyStart.meanMs * steadyStart.count) / steadyCount
        : Number.NaN;
    log(
      `steady state (${RETAINED.toLocaleString()} clicks retained, 5,000 new a second for 20 s): ${steadyCount} snapshots, ${steadyMeanMs.toFixed(0)} ms each on average, the last ${(steady.lastBytes / 1e6).toFixed(2)} MB`,
    );
    log(
      `stored: ${(Number(stored.bases) / 1e6).toFixed(1)} MB of bases and ${stored.n} deltas of ${(Number(stored.deltas) / 1e6).toFixed(1)} MB`,
    );
    await worker.kill('SIGKILL');
    const restarted = Date.now();
    worker.start();
    // A probe: a checkout whose row can only be written once the worker is back.
    const probeTime = t0 + 55 * 60_000;
    await produce(
      env.kafka,
      env.topics,
      (async function* () {
        yield [
          {
            topic: 'checkouts' as const,
            value: JSON.stringify({
              checkout_id: 'recovery-probe',
              user_id: 1,
              product_id: '1',
              payment_method: 'paypal',
              total_amount: 1,
              shipping_address: 'a',
              billing_address: 'b',
              user_agent: 'ua',
              ip_address: '127.0.0.1',
              datetime_occured: naiveTimestamp(probeTime),
            }),
          },
        ];
      })(),
    );
    let restoredMs = Number.NaN;
    for (;;) {
      const { rows } = await env.pool.query(
        "SELECT 1 FROM commerce.attributed_checkouts WHERE checkout_id = 'recovery-probe'",
      );
      if (rows.length > 0) break;
      if (Date.now() - restarted > 120_000) throw new Error('worker did not recover within 120 s');
      await sleep(100);
    }
    const toFirstRow = Date.now() - restarted;
    const restores = [
      ...worker.output.join('').matchAll(/restored (\d+) partition\(s\) in (\d+) ms/g),
    ];
    const restore = restores.at(-1);
    if (restore) restoredMs = Number(restore[2]);
    log(
      `recovery with ${RETAINED.toLocaleString()} clicks (${(snapshotBytes / 1e6).toFixed(1)} MB of snapshots): ` +
        `snapshot restore ${restoredMs} ms; restart → next row ${toFirstRow} ms (includes the group rebalance after the kill)`,
    );
    return {
      retainedClicks: RETAINED,
      snapshotBytes,
      snapshotsWhileGrowing: taken.count,
      steadySnapshots: steadyCount,
      steadySnapshotMeanMs: steadyMeanMs,
      steadyLastSnapshotBytes: steady.lastBytes,
      restartToNextRowMs: toFirstRow,
      restoreMs: restoredMs,
    };
  } finally {
    await worker.kill('SIGKILL');
    await env.cleanup();
  }
}

/** The worker's consumed-event total and the attributor's remaining lag, from /metrics. */
async function scrape(worker: WorkerProcess) {
  const port = worker.metricsPort;
  if (!port) return undefined;
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    let consumed = 0;
    let internalLag = 0;
    let internalSeen = false;
    for (const m of text.matchAll(/^clickstream_events_consumed_total\{[^}]*\} (\d+)/gm))
      consumed += Number(m[1]);
    for (const m of text.matchAll(
      /^clickstream_consumer_lag_messages\{topic="([^"]+)"[^}]*\} (\d+)/gm,
    )) {
      if (m[1]!.endsWith('-by-user')) {
        internalSeen = true;
        internalLag += Number(m[2]);
      }
    }
    return { consumed, internalLag, internalSeen };
  } catch {
    return undefined;
  }
}

async function fetchRetained(worker: WorkerProcess): Promise<number> {
  const port = worker.metricsPort;
  if (!port) return 0;
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/^clickstream_state_clicks (\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The worker's snapshot histogram: how many, their mean cost, and the last one's size. */
async function fetchSnapshotCost(
  worker: WorkerProcess,
): Promise<{ count: number; meanMs: number; lastBytes: number }> {
  const port = worker.metricsPort;
  const text = port ? await (await fetch(`http://127.0.0.1:${port}/metrics`)).text() : '';
  const value = (name: string) =>
    Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? 0);
  const count = value('clickstream_snapshot_seconds_count');
  return {
    count,
    meanMs: count > 0 ? (1000 * value('clickstream_snapshot_seconds_sum')) / count : 0,
    lastBytes: value('clickstream_snapshot_bytes'),
  };
}

async function main(): Promise<void> {
  const only = new Set((args.get('only') ?? 'throughput,latency,heap,recovery').split(','));
  const results: Record<string, unknown> = {
    machine: { cores: (await import('node:os')).cpus().length },
    at: new Date().toISOString(),
  };
  if (only.has('heap')) results.heap = heapPerClick();
  if (only.has('throughput')) results.throughput = await throughput();
  if (only.has('latency')) results.latency = await latency();
  if (only.has('recovery')) results.recovery = await recovery();
  mkdirSync(path.join(projectRoot, 'bench/results'), { recursive: true });
  const file = path.join(projectRoot, 'bench/results/speed-layer.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`written ${path.relative(projectRoot, file)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

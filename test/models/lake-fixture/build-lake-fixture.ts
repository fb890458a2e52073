// Writes a lake without Kafka: turns a generated message stream, the users table and the speed
// layer's rows into the lake's Delta tables with the contract's schema (delta-rs, through
// write_lake_fixture.py), for lakes too large to send through a broker here (the benchmark's
// 10 M events, the sample lake). The integration test uses the real export (export-through-kafka).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  parseCheckout,
  parseClick,
  type Checkout,
  type Click,
} from '../../../lib/domain/events.ts';
import type { GeneratedMessage } from '../../../lib/simulator/stream-generator.ts';

/** One row of the speed layer's sink as the export snapshots it (times in epoch ms). */
export interface SpeedRow {
  checkoutId: string;
  userId: number;
  userName: string;
  clickId: string | null;
  productId: string;
  totalAmount: string;
  checkoutTime: number;
  clickTime: number | null;
  isFinal: boolean;
  isUnknownUser: boolean;
  isLate: boolean;
}

export interface LakeFixtureOptions {
  /** The venv's python (with deltalake and pyarrow). */
  python: string;
  lakeUri: string;
  /** The messages as produced to the source topics, in produce order (duplicates, bad ones included). */
  messages: Iterable<GeneratedMessage>;
  /** commerce.users at export time: renames since the previous export become new versions. */
  users: readonly { id: number; username: string }[];
  /**
   * commerce.attributed_checkouts at export time (the table is overwritten). A function is called
   * after the messages were read, so rows computed from `onEvent` can be passed.
   */
  speedRows: Iterable<SpeedRow> | (() => Iterable<SpeedRow>);
  /** Sees every valid event as it is written (for computing the speed rows in the same pass). */
  onEvent?: (
    event: { topic: 'clicks'; click: Click } | { topic: 'checkouts'; checkout: Checkout },
  ) => void;
  exportedAt: number;
  /** Keyless messages are spread over this many source partitions, round robin. Default 3. */
  partitions?: number;
  /** Next offset per `<topic>/<partition>`: pass the previous call's `nextOffsets` to append. */
  startOffsets?: Record<string, number>;
  /** Rows per NDJSON chunk handed to python. */
  chunkRows?: number;
}

export interface LakeFixtureResult {
  clicks: number;
  checkouts: number;
  deadLetters: number;
  nextOffsets: Record<string, number>;
  seconds: number;
}

/** NDJSON chunk files of one table, rolled over every `chunkRows` lines. */
class ChunkWriter {
  private stream: WriteStream | undefined;
  private rows = 0;
  private files = 0;
  count = 0;

  constructor(
    private readonly dir: string,
    private readonly table: string,
    private readonly chunkRows: number,
  ) {}

  async write(row: object): Promise<void> {
    if (!this.stream || this.rows >= this.chunkRows) {
      await this.close();
      const file = path.join(
        this.dir,
        `${this.table}-${String(this.files++).padStart(5, '0')}.ndjson`,
      );
      this.stream = createWriteStream(file);
      this.rows = 0;
    }
    this.rows++;
    this.count++;
    if (!this.stream.write(`${JSON.stringify(row)}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.stream) return;
    const stream = this.stream;
    this.stream = undefined;
    stream.end();
    await once(stream, 'finish');
  }
}

function runPython(python: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`write_lake_fixture.py exited ${code}: ${err.slice(-4000)}`)),
    );
  });
}

/** Writes one export of the lake at `lakeUri` (tables are created on the first call). */
export async function buildLakeFixture(o: LakeFixtureOptions): Promise<LakeFixtureResult> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'lake-fixture-'));
  const chunkRows = o.chunkRows ?? 500_000;
  const partitions = o.partitions ?? 3;
  const offsets: Record<string, number> = { ...o.startOffsets };
  const writers = {
    clicks: new ChunkWriter(dir, 'clicks', chunkRows),
    checkouts: new ChunkWriter(dir, 'checkouts', chunkRows),
    deadLetters: new ChunkWriter(dir, 'dead_letters', chunkRows),
    users: new ChunkWriter(dir, 'users', chunkRows),
    speed: new ChunkWriter(dir, 'speed_attributed_checkouts', chunkRows),
  };
  // The export reads every message at exportedAt: that is the clock future event times face.
  const read = { now: o.exportedAt, maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS };
  try {
    let index = 0;
    for (const m of o.messages) {
      const partition = index++ % partitions;
      const key = `${m.topic}/${partition}`;
      const offset = offsets[key] ?? 0;
      offsets[key] = offset + 1;
      const kafka = { kafka_topic: m.topic, kafka_partition: partition, kafka_offset: offset };
      const parsed =
        m.topic === 'clicks' ? parseClick(m.value, read) : parseCheckout(m.value, read);
      if (!parsed.ok) {
        await writers.deadLetters.write({
          topic: m.topic,
          partition,
          offset,
          raw: Buffer.from(m.value).toString('base64'),
          reason: parsed.reason,
        });
      } else if ('clickId' in parsed.event) {
        const k = parsed.event;
        o.onEvent?.({ topic: 'clicks', click: k });
        await writers.clicks.write({
          click_id: k.clickId,
          user_id: k.userId,
          product_id: k.productId,
          product: k.product,
          price: k.price,
          url: k.url,
          user_agent: k.userAgent,
          ip_address: k.ipAddress,
          event_time: k.time,
          ...kafka,
        });
      } else {
        const c = parsed.event;
        o.onEvent?.({ topic: 'checkouts', checkout: c });
        await writers.checkouts.write({
          checkout_id: c.checkoutId,
          user_id: c.userId,
          product_id: c.productId,
          payment_method: c.paymentMethod,
          total_amount: c.totalAmount,
          shipping_address: c.shippingAddress,
          billing_address: c.billingAddress,
          user_agent: c.userAgent,
          ip_address: c.ipAddress,
          event_time: c.time,
          ...kafka,
        });
      }
    }
    for (const u of o.users) await writers.users.write({ user_id: u.id, username: u.username });
    const speedRows = typeof o.speedRows === 'function' ? o.speedRows() : o.speedRows;
    for (const r of speedRows) {
      await writers.speed.write({
        checkout_id: r.checkoutId,
        user_id: r.userId,
        user_name: r.userName,
        click_id: r.clickId,
        product_id: r.productId,
        total_amount: r.totalAmount,
        checkout_time: r.checkoutTime,
        click_time: r.clickTime,
        is_final: r.isFinal,
        is_unknown_user: r.isUnknownUser,
        is_late: r.isLate,
      });
    }
    for (const w of Object.values(writers)) await w.close();
    const script = path.join(
      path.dirname(new URL(import.meta.url).pathname),
      'write_lake_fixture.py',
    );
    await runPython(o.python, [script, path.resolve(o.lakeUri), dir, String(o.exportedAt)]);
    return {
      clicks: writers.clicks.count,
      checkouts: writers.checkouts.count,
      deadLetters: writers.deadLetters.count,
      nextOffsets: offsets,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

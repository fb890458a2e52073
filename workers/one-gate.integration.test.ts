// One gate (spec, "Bad input"): the parser is the only stage that refuses input, and whatever it
// accepts every later stage accepts too. Property test: fast-check writes wire messages, hostile
// ones included (extreme years and offsets, huge and negative ids, long strings, NUL, lone
// surrogates, invalid UTF-8, tombstones, numbers at the edges of double precision, amounts with
// many digits); every message goes through the lake export's row writer (Delta/Parquet files,
// read back), and every accepted checkout through the speed layer's sink into real PostgreSQL
// (read back). Stored values must equal the parsed ones exactly: amount text, time to the ms.
import { originTag } from '../lib/domain/click-origin.ts';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as arrow from 'apache-arrow';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config.ts';
import { createPrisma, type PrismaClient } from '../lib/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../test/db/test-database.ts';
import {
  DEAD_LETTER_KINDS,
  MAX_ID_BYTES,
  MAX_TEXT_BYTES,
  formatIsoTimestamp,
  parseCheckout,
  parseClick,
  type Checkout,
  type Click,
  type ParseOptions,
  type ParseResult,
  type RawMessage,
} from '../lib/domain/events.ts';
import { MAX_EVENT_TIME, MIN_EVENT_TIME } from '../lib/domain/timestamp.ts';
import { decodeDataPath } from '../lib/delta/delta-log.ts';
import { isoDate } from '../lib/delta/delta-values.ts';
import type { PartitionRead } from '../lib/lake/read-plan.ts';
import { LocalObjectStore } from '../lib/delta/local-store.ts';
import { decodeParquet } from '../lib/delta/parquet-stream.ts';
import type { RangeRecord } from './lake/kafka-range-reader.ts';
import { topicRowsHandler, type TopicCounts } from './lake/topic-rows.ts';
import { createTopicWriters } from './lake/topic-sink.ts';
import { writeCheckoutRows, type CheckoutRow } from './speed/sink.ts';

/** The reading process's clock: fixed, so a failure replays exactly. */
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0, 0);
const READ: ParseOptions = { now: NOW, maxFutureSkewMs: 60_000 };
const TOPICS = { clicks: 'clicks', checkouts: 'checkouts' };

// ---- generators of wire messages --------------------------------------------------------

const hostileChar = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  'é',
  '"',
  '\\',
  '\n',
  '\u2028',
  '\ufeff',
  '\u007f',
  '\uffff',
  '%',
  '/',
  '=',
);
const text = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(hostileChar, fc.string({ maxLength: 3 })), { maxLength: 8 })
      .map((a) => a.join('')),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 500, max: 40_000 }).map((n) => 'é'.repeat(n)) },
);

const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
/** Any JSON number literal: long mantissas, fractions, exponents from tiny to absurd. */
const decimalLiteral = fc
  .tuple(
    fc.constantFrom('', '', '-'),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,40}$/)),
    fc.option(digits(25), { nil: undefined }),
    fc.option(
      fc.tuple(
        fc.constantFrom('e', 'E', 'e+', 'e-', 'E-'),
        fc.oneof(fc.nat(50), fc.constantFrom(400, 999, 99999999)),
      ),
      { nil: undefined },
    ),
  )
  .map(
    ([sign, whole, fraction, exponent]) =>
      `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : `${exponent[0]}${exponent[1]}`}`,
  );
/** Doubles as JSON.stringify writes them: edges of precision, subnormals, huge. */
const doubleLiteral = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .map((x) => JSON.stringify(x));
const userIdLiteral = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map(String),
  fc.maxSafeInteger().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.constantFrom(
    '9007199254740991',
    '-9007199254740991',
    '9007199254740992',
    '-9007199254740992',
    '4294967296',
    '2147483648',
    '-2147483649',
    '-0',
    '7.0',
    '1e2',
    '7.0000000000000001',
    '9007199254740990.9',
    '1e-400',
    '1e999',
  ),
  decimalLiteral,
);
const amountLiteral = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 38n }).map((c) => {
    const s = c.toString().padStart(3, '0');
    return `${s.slice(0, -2)}.${s.slice(-2)}`;
  }),
  fc.integer({ min: 0, max: 10_000_000 }).map((c) => JSON.stringify(c / 100)),
  fc.constantFrom(
    '0.1000000000000000001',
    '100000000000000.01',
    '1e2',
    '-0',
    '-0.00',
    `${'9'.repeat(36)}.99`,
    `${'9'.repeat(37)}`,
    '1e-400',
    '1e999',
    '19.990',
  ),
  decimalLiteral,
  doubleLiteral,
);

const two = (n: number) => String(n).padStart(2, '0');
const zone = fc.oneof(
  fc.constantFrom('', 'Z', 'z'),
  fc
    .tuple(
      fc.constantFrom('+', '-'),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.constantFrom('colon', 'bare', 'hours'),
    )
    .map(([sign, h, m, form]) =>
      form === 'colon'
        ? `${sign}${two(h)}:${two(m)}`
        : form === 'bare'
          ? `${sign}${two(h)}${two(m)}`
          : `${sign}${two(h)}`,
    ),
);
/** Calendar-ish timestamps over all years, some impossible; times near the clock; garbage. */
const timestampText = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 1969, 1970, 2026, 9999)),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.option(digits(10), { nil: undefined }),
        fc.constantFrom(' ', 'T', 't'),
        zone,
      )
      .map(
        ([y, mo, d, h, mi, s, frac, sep, z]) =>
          `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}${sep}${two(h)}:${two(mi)}:${two(s)}${frac === undefined ? '' : `.${frac}`}${z}`,
      ),
  },
  {
    weight: 3,
    arbitrary: fc.integer({ min: -120_000, max: 120_000 }).map((d) => formatIsoTimestamp(NOW + d)),
  },
  { weight: 2, arbitrary: fc.integer({ min: MIN_EVENT_TIME, max: NOW }).map(formatIsoTimestamp) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0000-01-01 00:00:00',
      '0000-12-31T23:30:00-01:00',
      '0001-01-01 00:00:00',
      '0001-01-01T00:00:00+01:00',
      '9999-12-31 23:59:59.999',
      '9999-12-31T23:30:00-01:00',
      '1969-12-31 23:59:59.999999999',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

/** A field's value as a JSON text: usually right, sometimes of a wrong type or absent. */
const sometimesWrong = (right: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 20, arbitrary: right },
    { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

/** Extreme but storable strings: no NUL, no lone surrogate (those are refused). */
const storableText = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.oneof(
          hostileChar.filter((c) => c !== '\u0000' && !/^[\ud800-\udfff]$/.test(c)),
          fc.string({ maxLength: 3 }),
        ),
        { maxLength: 8 },
      )
      .map((a) => a.join('')),
  },
  // Up to the longest text every store holds (65535 bytes of UTF-8; '😀é' is 6).
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: Math.floor(MAX_TEXT_BYTES / 6) })
      .map((n) => '😀é'.repeat(n)),
  },
);
/** Ids: extreme but storable, up to the longest key every store indexes (1024 bytes of UTF-8). */
const storableId = fc.oneof(
  {
    weight: 4,
    arbitrary: storableText.filter((t) => t.length > 0 && Buffer.byteLength(t) <= MAX_ID_BYTES),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: MAX_ID_BYTES / 2 }).map((n) => 'é'.repeat(n)) },
);
/** user ids the spec accepts, from the edges of double precision to -0. */
const acceptedUserId = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map(String),
  fc.maxSafeInteger().map(String),
  fc.constantFrom(
    '9007199254740991',
    '-9007199254740991',
    '4294967296',
    '-0',
    '7.0',
    '1e2',
    '1.5e1',
  ),
);
/** Amounts the spec accepts: up to 36 integer digits, written many ways. */
const acceptedAmount = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 38n - 1n }).map((c) => {
    const t = c.toString().padStart(3, '0');
    return `${t.slice(0, -2)}.${t.slice(-2)}`;
  }),
  fc.integer({ min: 0, max: 10_000_000 }).map((c) => JSON.stringify(c / 100)),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map((n) => `${n}e${Number(n % 7n)}`),
  fc.constantFrom(
    '100000000000000.01',
    '1e2',
    '-0',
    '-0.00',
    '19.990',
    '0.10000000000000000000',
    '1.00e35',
  ),
);
const offsetText = (minutes: number, form: number) => {
  const sign = minutes < 0 ? '-' : '+';
  const h = two(Math.floor(Math.abs(minutes) / 60));
  const m = two(Math.abs(minutes) % 60);
  return form === 0 ? `${sign}${h}:${m}` : form === 1 ? `${sign}${h}${m}` : `${sign}${h}`;
};
/**
 * Event times the spec accepts (years 0001-9999 UTC, at most the skew ahead), written with
 * offsets and up to 9 fraction digits. Mostly a few days around the clock, so the lake writes
 * few partitions; sometimes anywhere, the ends of the range included.
 */
const acceptedTime = fc
  .tuple(
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: NOW - 2 * 86_400_000, max: NOW + 60_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: MIN_EVENT_TIME, max: NOW }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(MIN_EVENT_TIME, MIN_EVENT_TIME + 1, 0, -1, NOW + 60_000),
      },
    ),
    fc.integer({ min: -1439, max: 1439 }),
    fc.constantFrom(0, 1, 2, 3, 4),
    fc.stringMatching(/^[0-9]{0,6}$/),
    fc.constantFrom(' ', 'T'),
  )
  .map(([instant, offset, form, extraDigits, sep]) => {
    if (form === 3) return formatIsoTimestamp(instant).replace('T', sep).replace('Z', '');
    if (form === 4) return `${formatIsoTimestamp(instant).slice(0, -1)}${extraDigits}Z`;
    const minutes = form === 2 ? Math.trunc(offset / 60) * 60 : offset;
    const local = new Date(instant + minutes * 60_000).toISOString();
    if (!/^\d{4}-/.test(local)) return formatIsoTimestamp(instant);
    return `${local.slice(0, -1).replace('T', sep)}${extraDigits}${offsetText(minutes, form)}`;
  });

interface FieldValues {
  text: fc.Arbitrary<string | undefined>;
  id: fc.Arbitrary<string | undefined>;
  userId: fc.Arbitrary<string | undefined>;
  amount: fc.Arbitrary<string | undefined>;
  price: fc.Arbitrary<string | undefined>;
  time: fc.Arbitrary<string | undefined>;
}

/** Anything goes: every field may be hostile, so most of these are refused. */
const hostile: FieldValues = {
  text: sometimesWrong(text.map((t) => JSON.stringify(t))),
  id: sometimesWrong(text.map((t) => JSON.stringify(t))),
  userId: sometimesWrong(userIdLiteral),
  amount: sometimesWrong(amountLiteral),
  price: sometimesWrong(fc.oneof(decimalLiteral, doubleLiteral)),
  time: sometimesWrong(timestampText.map((t) => JSON.stringify(t))),
};
/** Extreme values the parser accepts: these must come back from every store unchanged. */
const extreme: FieldValues = {
  text: storableText.map((t) => JSON.stringify(t)),
  id: storableId.map((t) => JSON.stringify(t)),
  userId: acceptedUserId,
  amount: acceptedAmount,
  price: fc.oneof(doubleLiteral, fc.constantFrom('-0', '1e308', '5e-324', '0.1000000000000000001')),
  time: acceptedTime.map((t) => JSON.stringify(t)),
};

/** Builds the JSON text member by member, number literals verbatim; extras and duplicates too. */
function objectText(members: [string, string | undefined][], extra: [string, string][]): string {
  const parts = [...extra, ...members]
    .filter((m): m is [string, string] => m[1] !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}:${v}`);
  return `{${parts.join(',')}}`;
}

const extras = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom('user_id', 'total_amount', 'datetime_occured', 'extra'),
      fc.string({ maxLength: 6 }),
    ),
    fc.json({ maxDepth: 2 }),
  ),
  { maxLength: 2 },
);

const clickText = (g: FieldValues) =>
  fc
    .tuple(g.id, g.userId, g.id, g.text, g.price, g.text, g.text, g.text, g.time, extras)
    .map(([clickId, userId, productId, product, price, url, ua, ip, time, extra]) =>
      objectText(
        [
          ['click_id', clickId],
          ['user_id', userId],
          ['product_id', productId],
          ['product', product],
          ['price', price],
          ['url', url],
          ['user_agent', ua],
          ['ip_address', ip],
          ['datetime_occured', time],
        ],
        extra,
      ),
    );

const checkoutText = (g: FieldValues) =>
  fc
    .tuple(g.id, g.userId, g.id, g.text, g.amount, g.text, g.text, g.text, g.text, g.time, extras)
    .map(
      ([checkoutId, userId, productId, payment, amount, shipping, billing, ua, ip, time, extra]) =>
        objectText(
          [
            ['checkout_id', checkoutId],
            ['user_id', userId],
            ['product_id', productId],
            ['payment_method', payment],
            ['total_amount', amount],
            ['shipping_address', shipping],
            ['billing_address', billing],
            ['user_agent', ua],
            ['ip_address', ip],
            ['datetime_occured', time],
          ],
          extra,
        ),
    );

/** The message as bytes: mostly as written, sometimes corrupted, cut short, or a tombstone. */
const asMessage = (json: fc.Arbitrary<string>): fc.Arbitrary<RawMessage> =>
  fc.oneof(
    { weight: 12, arbitrary: json.map((t) => Buffer.from(t)) },
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(json, fc.nat(), fc.constantFrom(0x00, 0x80, 0xc0, 0xed, 0xf8, 0xff))
        .map(([t, at, byte]) => {
          const bytes = Buffer.from(t);
          bytes[at % bytes.length] = byte;
          return bytes;
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(json, fc.nat())
        .map(([t, n]) => Buffer.from(t).subarray(0, n % (t.length + 1))),
    },
  );

const messages = (wire: (g: FieldValues) => fc.Arbitrary<string>) =>
  fc.array(
    fc.oneof(
      { weight: 3, arbitrary: wire(extreme).map((t) => Buffer.from(t) as RawMessage) },
      { weight: 2, arbitrary: asMessage(wire(hostile)) },
    ),
    { maxLength: 16 },
  );

const batch = fc.record({ clicks: messages(clickText), checkouts: messages(checkoutText) });

// ---- reading the stores back ----------------------------------------------------------

const keepBom = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Every value of a column, exactly: int64 and timestamps as bigint (micros), decimals unscaled. */
function columnValues(table: arrow.Table, name: string): unknown[] {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`no column ${name}`);
  const typeId = String(vector.type);
  const out: unknown[] = [];
  for (const data of vector.data) {
    if (typeId.startsWith('Timestamp') || typeId === 'Int64') {
      const values = data.values as BigInt64Array;
      for (let i = 0; i < data.length; i++) out.push(values[data.offset + i]);
    } else if (typeId.startsWith('Decimal')) {
      const raw = data.values as Uint32Array;
      const words = new BigInt64Array(raw.buffer, raw.byteOffset, raw.length / 2);
      for (let i = 0; i < data.length; i++) {
        const k = data.offset + i;
        out.push((BigInt(words[2 * k + 1]!) << 64n) + BigInt.asUintN(64, words[2 * k]!));
      }
    } else if (typeId === 'Utf8' || typeId === 'Binary') {
      // By the bytes: arrow's own getter decodes with a TextDecoder that drops a leading U+FEFF.
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      for (let i = 0; i < data.length; i++) {
        const value = bytes.subarray(offsets[data.offset + i]!, offsets[data.offset + i + 1]!);
        out.push(typeId === 'Utf8' ? keepBom.decode(value) : value);
      }
    } else {
      for (let i = 0; i < data.length; i++) out.push(vector.get(out.length));
    }
  }
  return out;
}

/** Rows of every data file the writer finished, as objects keyed by column, plus the file's partition. */
async function readTable(
  store: LocalObjectStore,
  table: string,
  files: { add: { path: string; partitionValues: Record<string, string | null> } }[],
) {
  const rows: Record<string, unknown>[] = [];
  for (const file of files) {
    const bytes = await store.get(`${table}/${decodeDataPath(file.add.path)}`);
    if (!bytes) throw new Error(`missing data file ${file.add.path}`);
    const decoded = decodeParquet(bytes);
    const names = decoded.schema.fields.map((f) => f.name);
    const columns = Object.fromEntries(names.map((n) => [n, columnValues(decoded, n)]));
    for (let i = 0; i < decoded.numRows; i++) {
      rows.push({
        ...Object.fromEntries(names.map((n) => [n, columns[n]![i]])),
        ...file.add.partitionValues,
      });
    }
  }
  return rows;
}

const cents = (amount: string) => BigInt(amount.replace('.', ''));
const micros = (ms: number) => BigInt(ms) * 1000n;

// ---- the property ---------------------------------------------------------------------

let db: TestDatabase;
let client: pg.Client;
let sinkDb: PrismaClient;
let lakeRoot: string;

beforeAll(async () => {
  db = await createTestDatabase(loadConfig().DATABASE_URL);
  client = new pg.Client({ connectionString: db.url, application_name: 'one-gate-test' });
  await client.connect();
  sinkDb = createPrisma(db.url);
  lakeRoot = mkdtempSync(path.join(tmpdir(), 'one-gate-'));
});

afterAll(async () => {
  await client?.end();
  await sinkDb?.$disconnect();
  await db?.drop();
  if (lakeRoot) rmSync(lakeRoot, { recursive: true, force: true });
});

let run = 0;

/** Sends one batch through the lake row writer and the sink, and checks what comes back. */
async function throughEveryStore(clickMessages: RawMessage[], checkoutMessages: RawMessage[]) {
  const parse = <E>(p: (raw: RawMessage, o: ParseOptions) => ParseResult<E>, raw: RawMessage) => {
    const result = p(raw, READ);
    if (!result.ok) expect(DEAD_LETTER_KINDS).toContain(result.kind);
    return result;
  };
  const clicks = clickMessages.map((m) => parse(parseClick, m));
  const checkouts = checkoutMessages.map((m) => parse(parseCheckout, m));

  // The lake: the export's handler parses the same records and writes Parquet files.
  const store = new LocalObjectStore(path.join(lakeRoot, String(run++)));
  const writers = createTopicWriters(store, { chunkRows: 7 });
  const counts: Record<string, TopicCounts> = {};
  const reads: PartitionRead[] = [
    {
      topic: 'clicks',
      partition: 0,
      from: 0,
      to: clickMessages.length,
      tableStarts: { clicks: 0, dead_letters: 0 },
    },
    {
      topic: 'checkouts',
      partition: 0,
      from: 0,
      to: checkoutMessages.length,
      tableStarts: { checkouts: 0, dead_letters: 0 },
    },
  ];
  const handle = topicRowsHandler(
    { topics: TOPICS, reads, maxFutureSkewMs: READ.maxFutureSkewMs },
    writers,
    counts,
    () => NOW,
  );
  const records = (messages: RawMessage[]): RangeRecord[] =>
    messages.map((value, offset) => ({
      offset,
      timestamp: NOW,
      value: value === null ? null : new Uint8Array(value as Uint8Array),
    }));
  if (clickMessages.length > 0) await handle('clicks', 0, records(clickMessages));
  if (checkoutMessages.length > 0) await handle('checkouts', 0, records(checkoutMessages));
  const lakeClicks = await readTable(store, 'clicks', await writers.clicks.finish());
  const lakeCheckouts = await readTable(store, 'checkouts', await writers.checkouts.finish());
  const lakeDead = await readTable(store, 'dead_letters', await writers.deadLetters.finish());

  const acceptedClicks = clicks.flatMap((r, offset) => (r.ok ? [{ offset, e: r.event }] : []));
  const acceptedCheckouts = checkouts.flatMap((r, offset) =>
    r.ok ? [{ offset, e: r.event }] : [],
  );
  expect(lakeClicks.map((r) => r.kafka_offset).sort()).toEqual(
    acceptedClicks.map((c) => BigInt(c.offset)).sort(),
  );
  expect(lakeCheckouts.map((r) => r.kafka_offset).sort()).toEqual(
    acceptedCheckouts.map((c) => BigInt(c.offset)).sort(),
  );
  const clickAt = new Map(lakeClicks.map((r) => [Number(r.kafka_offset), r]));
  for (const { offset, e } of acceptedClicks) {
    expect(clickAt.get(offset)).toEqual({
      click_id: e.clickId,
      user_id: BigInt(e.userId),
      product_id: e.productId,
      product: e.product,
      price: e.price,
      url: e.url,
      user_agent: e.userAgent,
      ip_address: e.ipAddress,
      event_time: micros(e.time),
      event_date: isoDate(e.time),
      kafka_topic: 'clicks',
      kafka_partition: 0,
      kafka_offset: BigInt(offset),
      ingested_at: micros(NOW),
    });
    expect(Object.is(clickAt.get(offset)!.price, e.price)).toBe(true); // -0 stays -0
  }
  const checkoutAt = new Map(lakeCheckouts.map((r) => [Number(r.kafka_offset), r]));
  for (const { offset, e } of acceptedCheckouts) {
    expect(checkoutAt.get(offset)).toEqual({
      checkout_id: e.checkoutId,
      user_id: BigInt(e.userId),
      product_id: e.productId,
      payment_method: e.paymentMethod,
      total_amount: cents(e.totalAmount),
      shipping_address: e.shippingAddress,
      billing_address: e.billingAddress,
      user_agent: e.userAgent,
      ip_address: e.ipAddress,
      event_time: micros(e.time),
      event_date: isoDate(e.time),
      kafka_topic: 'checkouts',
      kafka_partition: 0,
      kafka_offset: BigInt(offset),
      ingested_at: micros(NOW),
    });
  }
  // Refused messages are dead letters in the lake, with the parser's reason and the raw bytes.
  const refused = [
    ...clicks.flatMap((r, offset) =>
      r.ok ? [] : [{ topic: 'clicks', offset, reason: r.reason, raw: clickMessages[offset] }],
    ),
    ...checkouts.flatMap((r, offset) =>
      r.ok ? [] : [{ topic: 'checkouts', offset, reason: r.reason, raw: checkoutMessages[offset] }],
    ),
  ];
  const deadOf = new Map(lakeDead.map((r) => [`${String(r.topic)}/${Number(r.offset)}`, r]));
  expect(lakeDead).toHaveLength(refused.length);
  for (const r of refused) {
    const row = deadOf.get(`${r.topic}/${r.offset}`);
    expect(row?.reason).toBe(r.reason);
    const raw = Buffer.from(r.raw ?? new Uint8Array(0));
    expect(raw.equals(row!.raw as Uint8Array), `raw bytes of ${r.topic}/${r.offset}`).toBe(true);
  }
  expect(counts.clicks?.valid ?? 0).toBe(acceptedClicks.length);
  expect(counts.checkouts?.valid ?? 0).toBe(acceptedCheckouts.length);

  // The speed layer's sink: every accepted checkout (one row per id, the last wins), with an
  // accepted click as its attributed click when there is one.
  const rows = new Map<string, CheckoutRow>();
  acceptedCheckouts.forEach(({ e }, i) => {
    const click: Click | undefined = acceptedClicks[i % Math.max(1, acceptedClicks.length)]?.e;
    rows.set(e.checkoutId, sinkRow(e, click));
  });
  await client.query('DELETE FROM commerce.attributed_checkouts');
  const written = await writeCheckoutRows(sinkDb, rows.values());
  expect(written.refused).toEqual([]);
  const { rows: stored } = await client.query<Record<string, string | boolean | null>>(
    `SELECT checkout_id, user_id::text, user_name, click_id, product_id, payment_method,
            total_amount::text, shipping_address, billing_address, user_agent, ip_address,
            (extract(epoch FROM checkout_time) * 1000)::bigint::text AS checkout_ms,
            (extract(epoch FROM click_time) * 1000)::bigint::text AS click_ms,
            to_char(checkout_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS checkout_iso,
            is_final, is_unknown_user, is_late
       FROM commerce.attributed_checkouts`,
  );
  expect(stored).toHaveLength(rows.size);
  const storedOf = new Map(stored.map((r) => [r.checkout_id as string, r]));
  for (const r of rows.values()) {
    expect(storedOf.get(r.checkoutId)).toEqual({
      checkout_id: r.checkoutId,
      user_id: String(r.userId),
      user_name: '',
      click_id: r.clickId,
      product_id: r.productId,
      payment_method: r.paymentMethod,
      total_amount: r.totalAmount,
      shipping_address: r.shippingAddress,
      billing_address: r.billingAddress,
      user_agent: r.userAgent,
      ip_address: r.ipAddress,
      checkout_ms: String(r.checkoutTime),
      click_ms: r.clickTime === null ? null : String(r.clickTime),
      checkout_iso: formatIsoTimestamp(r.checkoutTime),
      is_final: false,
      is_unknown_user: true,
      is_late: false,
    });
  }
  return { accepted: acceptedClicks.length + acceptedCheckouts.length, refused: refused.length };
}

function sinkRow(e: Checkout, click: Click | undefined): CheckoutRow {
  return {
    checkoutId: e.checkoutId,
    userId: e.userId,
    userName: '',
    isUnknownUser: true,
    productId: e.productId,
    paymentMethod: e.paymentMethod,
    totalAmount: e.totalAmount,
    shippingAddress: e.shippingAddress,
    billingAddress: e.billingAddress,
    userAgent: e.userAgent,
    ipAddress: e.ipAddress,
    checkoutTime: e.time,
    clickId: click?.clickId ?? null,
    clickTime: click?.time ?? null,
    // The live channel and campaign come from the URL: whatever the gate accepts, the sink takes.
    clickTag: click ? originTag(click.url) : null,
    isFinal: false,
    isLate: false,
    partition: 0,
  };
}

/** A message with `field` written as `literal`, the rest a plain valid event. */
function edge(kind: 'click' | 'checkout', literals: Record<string, string>): Buffer {
  const base =
    kind === 'click'
      ? {
          click_id: 'c',
          user_id: 1,
          product_id: 'p',
          product: 'x',
          price: 1.5,
          url: 'u',
          user_agent: 'a',
          ip_address: 'i',
          datetime_occured: '2026-01-01 00:00:00',
        }
      : {
          checkout_id: 'k',
          user_id: 1,
          product_id: 'p',
          payment_method: 'm',
          total_amount: 1,
          shipping_address: 's',
          billing_address: 'b',
          user_agent: 'a',
          ip_address: 'i',
          datetime_occured: '2026-01-01 00:00:00',
        };
  let t = JSON.stringify({
    ...base,
    ...Object.fromEntries(Object.keys(literals).map((k) => [k, `@${k}@`])),
  });
  for (const [k, v] of Object.entries(literals)) t = t.replace(`"@${k}@"`, v);
  return Buffer.from(t);
}

describe('one gate: what the parser accepts, the sink and the lake store exactly', () => {
  it('stores the edge cases of the spec', async () => {
    const id = (n: number) => `"e${n}"`;
    const checkouts = [
      edge('checkout', {
        checkout_id: id(1),
        total_amount: '100000000000000.01',
        user_id: '9007199254740991',
      }),
      edge('checkout', { checkout_id: id(2), total_amount: '1e2', user_id: '-9007199254740991' }),
      edge('checkout', {
        checkout_id: id(3),
        total_amount: '-0',
        user_id: '-1',
        datetime_occured: '"0001-01-01T00:00:00Z"',
      }),
      edge('checkout', {
        checkout_id: id(4),
        total_amount: `${'9'.repeat(36)}.99`,
        user_id: '4294967296',
        datetime_occured: '"0000-12-31T23:00:00-01:00"',
      }),
      edge('checkout', { checkout_id: id(5), total_amount: '0.1000000000000000001' }),
      edge('checkout', { checkout_id: id(6), user_id: '9007199254740992' }),
      edge('checkout', {
        checkout_id: id(7),
        datetime_occured: JSON.stringify(formatIsoTimestamp(NOW + 60_000)),
      }),
      edge('checkout', {
        checkout_id: id(8),
        datetime_occured: JSON.stringify(formatIsoTimestamp(NOW + 60_001)),
      }),
      edge('checkout', { checkout_id: id(9), shipping_address: JSON.stringify('\u0000') }),
      edge('checkout', {
        checkout_id: id(10),
        datetime_occured: '"1969-12-31 23:59:59.999999"',
        user_agent: JSON.stringify(`${'😀'.repeat(16_383)}\u2028`) /* 65535 bytes */,
      }),
    ];
    const clicks = [
      edge('click', { click_id: id(11), datetime_occured: '"0001-01-01 00:00:00"', price: '-0' }),
      edge('click', { click_id: id(12), datetime_occured: '"0001-01-01T00:00:00+01:00"' }),
      edge('click', { click_id: id(13), price: '1.7976931348623157e308', user_id: '1e2' }),
      edge('click', { click_id: id(14), price: '5e-324', user_id: '7.0000000000000001' }),
      null,
    ];
    expect(await throughEveryStore(clicks, checkouts)).toEqual({ accepted: 8, refused: 7 });
  });

  it('stores the year 9999 when the reader is there', async () => {
    // A clock at the end of 9999 is not this test's NOW, so the sink alone, through the parser.
    const late = { now: MAX_EVENT_TIME, maxFutureSkewMs: 0 };
    const parsed = parseCheckout(
      edge('checkout', { checkout_id: '"y9999"', datetime_occured: '"9999-12-31T23:59:59.999Z"' }),
      late,
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    await client.query('DELETE FROM commerce.attributed_checkouts');
    expect((await writeCheckoutRows(sinkDb, [sinkRow(parsed.event, undefined)])).refused).toEqual(
      [],
    );
    const { rows } = await client.query<{ ms: string }>(
      `SELECT (extract(epoch FROM checkout_time) * 1000)::bigint::text AS ms FROM commerce.attributed_checkouts`,
    );
    expect(rows).toEqual([{ ms: String(MAX_EVENT_TIME) }]);
  });

  it('stores every accepted message of hostile generated batches, exactly', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(batch, async ({ clicks, checkouts }) => {
        const counts = await throughEveryStore(clicks, checkouts);
        accepted += counts.accepted;
        refused += counts.refused;
      }),
      { numRuns: 150 },
    );
    // The generators must exercise both sides of the gate.
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  }, 600_000);
});

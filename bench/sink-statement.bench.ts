// One sink upsert statement (2,000 rows by default), on the pg pool vs through Prisma Client, in a
// throw-away migrated database beside DATABASE_URL: client CPU (process.cpuUsage, user + system)
// and wall time per statement, median over rounds of runs, variants interleaved run by run so drift hits all.
//   pg-unnest            the sink's statement on pg: 17 array parameters, unnest
//   prisma-unnest        the same through prisma.$queryRawUnsafe (the colleague's 2x)
//   prisma-json          Prisma, one text parameter: JSON array of row arrays, jsonb_array_elements
//   prisma-json-text     the same over json instead of jsonb, json_array_elements
//   prisma-json-agg      the same, the applied ids back as one json_agg text value
//   prisma-jsonb-rs      Prisma, one text parameter: JSON array of row objects, jsonb_to_recordset
//   prisma-json-rs       the same with json_to_recordset
//   pg-json              the JSON array of arrays on pg (does JSON help pg too?)
// Every statement inserts fresh checkout ids (with --update: rewrites the same provisional rows);
// rows carry quotes, backslashes and non-ASCII text. Usage: npx tsx bench/sink-statement.bench.ts [--rows=2000]
// [--runs=10] [--rounds=3] [--only=pg-unnest,prisma-json] [--update]
import { createPrisma, createPgPool } from '../lib/db/client.ts';
import { createTestDatabase } from '../test/db/test-database.ts';
import { loadConfig } from '../lib/config.ts';
import { benchArgs } from './bench-support.ts';

const args = benchArgs();
const ROWS = Number(args.get('rows') ?? 2_000);
const RUNS = Number(args.get('runs') ?? 10);
const ROUNDS = Number(args.get('rounds') ?? 3);
/** Every statement updates the same provisional rows instead of inserting fresh ones. */
const UPDATE = args.has('update');
/** Comma-separated variant names to run (default all), for a head-to-head with less noise. */
const ONLY = args.get('only')?.split(',');

const INSERT_HEAD = `
INSERT INTO commerce.attributed_checkouts AS a (
  checkout_id, user_id, user_name, click_id, product_id, payment_method, total_amount,
  shipping_address, billing_address, user_agent, ip_address, checkout_time, click_time,
  is_final, is_unknown_user, is_late, partition, processed_at, first_written_at)
SELECT t.checkout_id, t.user_id, t.user_name, t.click_id, t.product_id, t.payment_method,
       t.total_amount, t.shipping_address, t.billing_address, t.user_agent, t.ip_address,
       t.checkout_time, t.click_time, t.is_final, t.is_unknown_user, t.is_late, t.partition,
       now(), now()`;
const CONFLICT_TAIL = `
ON CONFLICT (checkout_id) DO UPDATE SET
  user_name = EXCLUDED.user_name, click_id = EXCLUDED.click_id,
  product_id = EXCLUDED.product_id, payment_method = EXCLUDED.payment_method,
  total_amount = EXCLUDED.total_amount, shipping_address = EXCLUDED.shipping_address,
  billing_address = EXCLUDED.billing_address, user_agent = EXCLUDED.user_agent,
  ip_address = EXCLUDED.ip_address, checkout_time = EXCLUDED.checkout_time,
  click_time = EXCLUDED.click_time, is_final = EXCLUDED.is_final,
  is_unknown_user = EXCLUDED.is_unknown_user, is_late = EXCLUDED.is_late,
  partition = EXCLUDED.partition, processed_at = now()
WHERE NOT a.is_final AND a.user_id = EXCLUDED.user_id
RETURNING checkout_id`;
const COLUMNS = `checkout_id text, user_id bigint, user_name text, click_id text, product_id text,
  payment_method text, total_amount numeric, shipping_address text, billing_address text,
  user_agent text, ip_address text, checkout_time timestamptz(3), click_time timestamptz(3),
  is_final boolean, is_unknown_user boolean, is_late boolean, partition int`;
const NAMES = COLUMNS.split(',').map((c) => c.trim().split(/\s+/)[0]!);

const UNNEST_SQL = `${INSERT_HEAD}
FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::numeric[], $8::text[], $9::text[], $10::text[], $11::text[],
            $12::timestamptz[], $13::timestamptz[], $14::boolean[], $15::boolean[],
            $16::boolean[], $17::int[])
  AS t(${NAMES.join(', ')})${CONFLICT_TAIL}`;
const CASTS = COLUMNS.split(',').map((c) => c.trim().split(/\s+/)[1]!);
const ARRAY_SQL = `${INSERT_HEAD}
FROM (SELECT ${NAMES.map((n, i) => `(e->>${i})::${CASTS[i]} AS ${n}`).join(', ')}
      FROM jsonb_array_elements($1::text::jsonb) AS e) AS t${CONFLICT_TAIL}`;
// The same over json (text kept as is: no binary form to build, but each ->> scans the element).
const ARRAY_JSON_SQL = ARRAY_SQL.replace(
  'jsonb_array_elements($1::text::jsonb)',
  'json_array_elements($1::text::json)',
);
// The applied ids as one JSON text value rather than 2,000 result rows for Prisma to map.
const ARRAY_AGG_SQL = `WITH applied AS (${ARRAY_SQL})
SELECT coalesce(json_agg(checkout_id), '[]')::text AS ids FROM applied`;
const JSONB_RS_SQL = `${INSERT_HEAD}
FROM jsonb_to_recordset($1::text::jsonb) AS t(${COLUMNS})${CONFLICT_TAIL}`;
const JSON_RS_SQL = `${INSERT_HEAD}
FROM json_to_recordset($1::text::json) AS t(${COLUMNS})${CONFLICT_TAIL}`;

let serial = 0;
const AGENT = 'Mozilla/5.0 (X11; Linux) "quoted" back\\slash \u00e9\u4e2d\u{1F600} tab\there';
function rowsOf(n: number): unknown[][] {
  const run = UPDATE ? 0 : serial++;
  return Array.from({ length: n }, (_, i) => [
    `c-${run}-${i}`,
    1_000 + (i % 5_000),
    `User "${i}" O'Brien \u00fc`,
    i % 3 === 0 ? null : `k-${run}-${i}`,
    `p-${i % 500}`,
    'credit_card',
    `${(i * 37) % 100_000}.${String(i % 100).padStart(2, '0')}`,
    `${i} Main St\nApt \\${i % 10}`,
    `${i} Main St`,
    AGENT,
    `10.0.${i % 256}.${(i * 7) % 256}`,
    new Date(1_760_000_000_000 + i * 1_000).toISOString(),
    i % 3 === 0 ? null : new Date(1_759_999_000_000 + i * 1_000).toISOString(),
    !UPDATE && i % 2 === 0,
    false,
    i % 11 === 0,
    i % 4,
  ]);
}
function columnsOf(rows: unknown[][]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 17 }, () => []);
  for (const r of rows) for (let i = 0; i < 17; i++) columns[i]!.push(r[i]);
  return columns;
}
const objectsOf = (rows: unknown[][]) =>
  rows.map((r) => Object.fromEntries(NAMES.map((n, i) => [n, r[i]])));

const config = loadConfig();
const database = await createTestDatabase(config.DATABASE_URL);
const pool = createPgPool(database.url, { max: 2 });
const prisma = createPrisma('', { pool });

type Variant = (rows: unknown[][]) => Promise<number>;
// Each variant turns the rows into its parameters itself: that work is part of its client CPU.
const variants: Record<string, Variant> = {
  'pg-unnest': async (rows) => (await pool.query(UNNEST_SQL, columnsOf(rows))).rowCount ?? 0,
  'prisma-unnest': async (rows) =>
    (await prisma.$queryRawUnsafe<unknown[]>(UNNEST_SQL, ...columnsOf(rows))).length,
  'prisma-json': async (rows) =>
    (await prisma.$queryRawUnsafe<unknown[]>(ARRAY_SQL, JSON.stringify(rows))).length,
  'prisma-json-text': async (rows) =>
    (await prisma.$queryRawUnsafe<unknown[]>(ARRAY_JSON_SQL, JSON.stringify(rows))).length,
  'prisma-json-agg': async (rows) => {
    const [result] = await prisma.$queryRawUnsafe<{ ids: string }[]>(
      ARRAY_AGG_SQL,
      JSON.stringify(rows),
    );
    return (JSON.parse(result!.ids) as string[]).length;
  },
  'prisma-jsonb-rs': async (rows) =>
    (await prisma.$queryRawUnsafe<unknown[]>(JSONB_RS_SQL, JSON.stringify(objectsOf(rows)))).length,
  'prisma-json-rs': async (rows) =>
    (await prisma.$queryRawUnsafe<unknown[]>(JSON_RS_SQL, JSON.stringify(objectsOf(rows)))).length,
  'pg-json': async (rows) => (await pool.query(ARRAY_SQL, [JSON.stringify(rows)])).rowCount ?? 0,
};

for (const name of Object.keys(variants)) {
  if (ONLY && !ONLY.includes(name)) delete variants[name];
}

const samples = new Map<string, { cpu: number[]; wall: number[] }>();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
try {
  for (const [name, variant] of Object.entries(variants)) {
    if ((await variant(rowsOf(ROWS))) !== ROWS) throw new Error(`${name}: rows not applied`);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (let run = 0; run < RUNS; run++) {
      for (const [name, variant] of Object.entries(variants)) {
        const s = samples.get(name) ?? { cpu: [], wall: [] };
        samples.set(name, s);
        const rows = rowsOf(ROWS);
        const cpu = process.cpuUsage();
        const started = performance.now();
        const applied = await variant(rows);
        s.wall.push(performance.now() - started);
        const used = process.cpuUsage(cpu);
        s.cpu.push((used.user + used.system) / 1_000);
        if (applied !== ROWS) throw new Error(`${name}: ${applied} of ${ROWS} rows applied`);
      }
    }
  }
  console.log(`${ROWS} rows per statement, median of ${ROUNDS}×${RUNS} (ms)`);
  for (const [name, s] of samples) {
    console.log(
      `${name.padEnd(16)} client CPU ${median(s.cpu).toFixed(1).padStart(6)}   wall ${median(s.wall).toFixed(1).padStart(6)}`,
    );
  }
} finally {
  await prisma.$disconnect();
  await pool.end();
  await database.drop();
}

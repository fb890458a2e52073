// One snapshot write (6 partition states of 3.5 MB by default, as snapshots.ts measured), on the
// pg pool vs through Prisma Client, in a throw-away migrated database beside DATABASE_URL: client
// CPU (process.cpuUsage, user + system) and wall time per statement, median over runs, variants
// interleaved run by run.
//   pg-binary            snapshots.ts today: each state a parameter of its own (pg sends it binary)
//   pg-bytea             snapshots.ts before: bytea[] on pg (pg writes each element as \x hex text)
//   prisma-bytea         the same statement through Prisma (bytea as base64 inside JSON, decoded)
//   prisma-base64        Prisma, the states as one text[] of base64, decode(…, 'base64') in SQL
//   pg-base64            the same text[] of base64 on pg
// Usage: npx tsx bench/snapshot-write.bench.ts [--states=6] [--mb=3.5] [--runs=7]
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../lib/config.ts';
import { createPrisma, createPgPool } from '../lib/db/client.ts';
import { createTestDatabase } from '../test/db/test-database.ts';
import { saveSnapshots, type PartitionSnapshot } from '../workers/speed/snapshots.ts';
import { benchArgs } from './bench-support.ts';

const args = benchArgs();
const STATES = Number(args.get('states') ?? 6);
const BYTES = Math.round(Number(args.get('mb') ?? 3.5) * 1024 * 1024);
const RUNS = Number(args.get('runs') ?? 7);

const HEAD = `INSERT INTO commerce.speed_snapshots (pipeline, "partition", state, offsets, watermark_ms, taken_at, size_bytes)
SELECT $1, s.p, s.state, s.offsets, s.watermark, now(), length(s.state)`;
const TAIL = `
ON CONFLICT (pipeline, "partition") DO UPDATE SET
  state = EXCLUDED.state, offsets = EXCLUDED.offsets, watermark_ms = EXCLUDED.watermark_ms,
  taken_at = EXCLUDED.taken_at, size_bytes = EXCLUDED.size_bytes`;
const BYTEA_SQL = `${HEAD}
FROM unnest($2::int[], $3::bytea[], $4::jsonb[], $5::bigint[]) AS s(p, state, offsets, watermark)${TAIL}`;
const BASE64_SQL = `${HEAD}
FROM (SELECT p, decode(b, 'base64') AS state, offsets, watermark
      FROM unnest($2::int[], $3::text[], $4::jsonb[], $5::bigint[]) AS u(p, b, offsets, watermark)) AS s${TAIL}`;

const states = Array.from({ length: STATES }, () => new Uint8Array(randomBytes(BYTES)));
const partitions = states.map((_, i) => i);
const offsets = states.map(() =>
  JSON.stringify({ 'clicks-internal': '123456', checkouts: '9876' }),
);
const watermarks = states.map(() => Date.now());

const config = loadConfig();
const database = await createTestDatabase(config.DATABASE_URL);
const pool = createPgPool(database.url, { max: 2 });
const prisma = createPrisma('', { pool });
const buffers = () => states.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength));
const base64s = () =>
  states.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString('base64'));

const snapshots: PartitionSnapshot[] = states.map((state, partition) => ({
  partition,
  kind: 'base',
  chain: `chain-${partition}`,
  seq: 0,
  state,
  offsets: { 'clicks-internal': '123456', checkouts: '9876' },
  watermark: Date.now(),
}));

const variants: Record<string, () => Promise<unknown>> = {
  'pg-binary': () => saveSnapshots(pool, 'bench', snapshots),
  'pg-bytea': () => pool.query(BYTEA_SQL, ['bench', partitions, buffers(), offsets, watermarks]),
  'prisma-bytea': () =>
    prisma.$executeRawUnsafe(BYTEA_SQL, 'bench', partitions, states, offsets, watermarks),
  'prisma-base64': () =>
    prisma.$executeRawUnsafe(BASE64_SQL, 'bench', partitions, base64s(), offsets, watermarks),
  'pg-base64': () => pool.query(BASE64_SQL, ['bench', partitions, base64s(), offsets, watermarks]),
};

const samples = new Map<string, { cpu: number[]; wall: number[] }>();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
try {
  for (const variant of Object.values(variants)) await variant();
  const { rows } = await pool.query<{ ok: boolean }>(
    'SELECT bool_and(state = $1) AS ok FROM commerce.speed_snapshots WHERE "partition" = 0',
    [buffers()[0]],
  );
  if (!rows[0]?.ok) throw new Error('a state did not round-trip');
  for (let run = 0; run < RUNS; run++) {
    for (const [name, variant] of Object.entries(variants)) {
      const s = samples.get(name) ?? { cpu: [], wall: [] };
      samples.set(name, s);
      const cpu = process.cpuUsage();
      const started = performance.now();
      await variant();
      s.wall.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      s.cpu.push((used.user + used.system) / 1_000);
    }
  }
  console.log(`${STATES} states of ${BYTES} bytes per statement, median of ${RUNS} (ms)`);
  for (const [name, s] of samples) {
    console.log(
      `${name.padEnd(14)} client CPU ${median(s.cpu).toFixed(1).padStart(7)}   wall ${median(s.wall).toFixed(1).padStart(7)}`,
    );
  }
} finally {
  await prisma.$disconnect();
  await pool.end();
  await database.drop();
}

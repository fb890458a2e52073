// Partition snapshots in commerce.speed_snapshots: the encoded engine state and the next offsets
// of both internal topics, keyed by (pipeline = consumer group, partition). Written only after
// the sink rows they account for are committed (see attributor.ts), read on assignment.
//
// On the pg pool that Prisma Client's adapter runs on (lib/db/client.ts), not through Prisma:
// Prisma's raw queries carry a bytea parameter as base64 inside JSON and decode it again, and
// re-encode a bytea result. Measured on this machine for 6 states of 3.5 MB: writing took
// 165 ms of client CPU with pg, 340 ms with $executeRaw (wall ~1.0 s vs ~1.3 s); reading one
// 3.5 MB state 21.6 ms with pg, 29.4 ms with $queryRaw, 35.0 ms with the typed API. The
// encoding runs on the worker's event loop and the read is restore time, so both stay on pg.
// Nor does a compact text parameter rescue Prisma: the states as one text[] of base64,
// decode(…, 'base64') in SQL, cost 252–292 ms of client CPU against pg's 179–208 ms (wall
// 1.00–1.04 s vs 1.07 s; bench/snapshot-write.bench.ts, 6 × 3.5 MB, medians of 7 and 9): Prisma
// still copies every base64 byte through its JSON. The same text[] of base64 on the bare pool
// cost 108–118 ms, wall 0.86–0.89 s: pg writes a bytea[] element as \x hex text, twice the
// bytes of base64.
import type pg from 'pg';

export interface PartitionSnapshot {
  partition: number;
  state: Uint8Array;
  /** Next offset to read, per internal topic. */
  offsets: Record<string, string>;
  watermark: number;
}

export async function saveSnapshots(
  client: pg.Pool | pg.ClientBase,
  pipeline: string,
  snapshots: PartitionSnapshot[],
): Promise<void> {
  if (snapshots.length === 0) return;
  await client.query(
    `INSERT INTO commerce.speed_snapshots (pipeline, "partition", state, offsets, watermark_ms, taken_at, size_bytes)
     SELECT $1, s.p, s.state, s.offsets, s.watermark, now(), length(s.state)
     FROM unnest($2::int[], $3::bytea[], $4::jsonb[], $5::bigint[]) AS s(p, state, offsets, watermark)
     ON CONFLICT (pipeline, "partition") DO UPDATE SET
       state = EXCLUDED.state, offsets = EXCLUDED.offsets, watermark_ms = EXCLUDED.watermark_ms,
       taken_at = EXCLUDED.taken_at, size_bytes = EXCLUDED.size_bytes`,
    [
      pipeline,
      snapshots.map((s) => s.partition),
      snapshots.map((s) => Buffer.from(s.state.buffer, s.state.byteOffset, s.state.byteLength)),
      snapshots.map((s) => JSON.stringify(s.offsets)),
      snapshots.map((s) => (Number.isFinite(s.watermark) ? Math.trunc(s.watermark) : null)),
    ],
  );
}

export async function loadSnapshot(
  pool: pg.Pool,
  pipeline: string,
  partition: number,
): Promise<{ state: Uint8Array; offsets: Record<string, string>; sizeBytes: number } | undefined> {
  const { rows } = await pool.query<{
    state: Buffer;
    offsets: Record<string, string>;
    size_bytes: number;
  }>(
    'SELECT state, offsets, size_bytes FROM commerce.speed_snapshots WHERE pipeline = $1 AND "partition" = $2',
    [pipeline, partition],
  );
  const row = rows[0];
  return row
    ? { state: new Uint8Array(row.state), offsets: row.offsets, sizeBytes: row.size_bytes }
    : undefined;
}

// Partition snapshots in commerce.speed_snapshots: the encoded engine state and
// the next offsets of both internal topics, keyed by (pipeline = consumer
// group, partition). Written in the same transaction as the sink rows they
// account for (see attributor.ts), read on assignment.
import type pg from 'pg';

export interface PartitionSnapshot {
  partition: number;
  state: Uint8Array;
  /** Next offset to read, per internal topic. */
  offsets: Record<string, string>;
  watermark: number;
}

export async function saveSnapshots(
  client: pg.ClientBase,
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

// Partition snapshots in commerce.speed_snapshots: the encoded engine state and the next offsets
// of both internal topics, keyed by (pipeline = consumer group, partition). Written only after
// the sink rows they account for are committed (see attributor.ts), read on assignment.
// Both through Prisma's raw tagged templates: the write is one `unnest` upsert for all
// partitions; the read is raw too, because the typed API re-encodes a large bytea on its way
// out (a 3 MB state took ~1.7× the client CPU of `$queryRaw`), and restore time is downtime.
import type { Db } from '../../lib/db/client.ts';

export interface PartitionSnapshot {
  partition: number;
  state: Uint8Array;
  /** Next offset to read, per internal topic. */
  offsets: Record<string, string>;
  watermark: number;
}

export async function saveSnapshots(
  db: Db,
  pipeline: string,
  snapshots: PartitionSnapshot[],
): Promise<void> {
  if (snapshots.length === 0) return;
  const partitions = snapshots.map((s) => s.partition);
  const states = snapshots.map((s) => s.state);
  const offsets = snapshots.map((s) => JSON.stringify(s.offsets));
  const watermarks = snapshots.map((s) =>
    Number.isFinite(s.watermark) ? Math.trunc(s.watermark) : null,
  );
  await db.$executeRaw`
    INSERT INTO commerce.speed_snapshots (pipeline, "partition", state, offsets, watermark_ms, taken_at, size_bytes)
    SELECT ${pipeline}, s.p, s.state, s.offsets, s.watermark, now(), length(s.state)
    FROM unnest(${partitions}::int[], ${states}::bytea[], ${offsets}::jsonb[], ${watermarks}::bigint[])
      AS s(p, state, offsets, watermark)
    ON CONFLICT (pipeline, "partition") DO UPDATE SET
      state = EXCLUDED.state, offsets = EXCLUDED.offsets, watermark_ms = EXCLUDED.watermark_ms,
      taken_at = EXCLUDED.taken_at, size_bytes = EXCLUDED.size_bytes`;
}

export async function loadSnapshot(
  db: Db,
  pipeline: string,
  partition: number,
): Promise<{ state: Uint8Array; offsets: Record<string, string>; sizeBytes: number } | undefined> {
  const [row] = await db.$queryRaw<
    { state: Uint8Array; offsets: Record<string, string>; size_bytes: number }[]
  >`SELECT state, offsets, size_bytes FROM commerce.speed_snapshots
    WHERE pipeline = ${pipeline} AND "partition" = ${partition}`;
  return row ? { state: row.state, offsets: row.offsets, sizeBytes: row.size_bytes } : undefined;
}

// Partition snapshots: the encoded engine state and the next offsets of both internal topics,
// keyed by (pipeline = consumer group, partition). A base (commerce.speed_snapshots) holds the
// whole state and starts a chain; deltas (commerce.speed_snapshot_deltas) hold the changes since
// the previous snapshot of the chain (lib/domain/state-journal.ts), so a large state costs
// little per interval. Written only after the sink rows they account for are committed (see
// attributor.ts), read on assignment: the base, then its chain's deltas in order.
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
// bytes of base64. So each state is now a parameter of its own, which pg sends as binary: 39 ms
// of client CPU and 235 ms wall, against 231 ms and 1,239 ms for the bytea[] it replaced (same
// bench, medians of 7; the server no longer decodes hex either).
import type pg from 'pg';

export interface PartitionSnapshot {
  partition: number;
  /** A base holds the whole state and starts a chain; a delta holds the changes since the previous one. */
  kind: 'base' | 'delta';
  /** The chain this snapshot belongs to (a base's own new id). */
  chain: string;
  /** 0 for a base, then 1, 2, … for the deltas of its chain. */
  seq: number;
  state: Uint8Array;
  /** Next offset to read, per internal topic. */
  offsets: Record<string, string>;
  watermark: number;
}

const asBuffer = (state: Uint8Array) =>
  Buffer.from(state.buffer, state.byteOffset, state.byteLength);
const watermarkMs = (w: number) => (Number.isFinite(w) ? Math.trunc(w) : null);

/**
 * Stores bases and deltas in one statement (atomic): a base replaces its partition's base row
 * and drops every delta of the partition (those of older chains included); a delta is added to
 * its chain. Idempotent, so a write retried after a lost answer stores the same thing.
 *
 * Each state is a parameter of its own, which pg sends as binary: inside a bytea[] it would be
 * \x hex text, twice the bytes, encoded by the worker and decoded again by the server.
 */
export async function saveSnapshots(
  client: pg.Pool | pg.ClientBase,
  pipeline: string,
  snapshots: PartitionSnapshot[],
): Promise<void> {
  if (snapshots.length === 0) return;
  const params: unknown[] = [pipeline];
  const param = (value: unknown, type: string) => `$${params.push(value)}::${type}`;
  const rows = (list: PartitionSnapshot[]) =>
    list
      .map(
        (s) =>
          `(${param(s.partition, 'int')}, ${param(s.chain, 'text')}, ${param(s.seq, 'bigint')}, ` +
          `${param(asBuffer(s.state), 'bytea')}, ${param(JSON.stringify(s.offsets), 'jsonb')}, ` +
          `${param(watermarkMs(s.watermark), 'bigint')})`,
      )
      .join(',\n         ');
  const bases = snapshots.filter((s) => s.kind === 'base');
  const deltas = snapshots.filter((s) => s.kind === 'delta');
  const steps: string[] = [];
  if (bases.length > 0) {
    steps.push(
      `bases AS (
       INSERT INTO commerce.speed_snapshots
         (pipeline, "partition", chain, seq, state, offsets, watermark_ms, taken_at, size_bytes)
       SELECT $1, s.p, s.chain, s.seq, s.state, s.offsets, s.watermark, now(), length(s.state)
       FROM (VALUES ${rows(bases)}) AS s(p, chain, seq, state, offsets, watermark)
       ON CONFLICT (pipeline, "partition") DO UPDATE SET
         chain = EXCLUDED.chain, seq = EXCLUDED.seq, state = EXCLUDED.state,
         offsets = EXCLUDED.offsets, watermark_ms = EXCLUDED.watermark_ms,
         taken_at = EXCLUDED.taken_at, size_bytes = EXCLUDED.size_bytes
     )`,
      `dropped AS (
       DELETE FROM commerce.speed_snapshot_deltas d
       WHERE d.pipeline = $1 AND d."partition" = ANY(${param(
         bases.map((b) => b.partition),
         'int[]',
       )})
     )`,
    );
  }
  if (deltas.length > 0) {
    steps.push(
      `deltas AS (
       INSERT INTO commerce.speed_snapshot_deltas
         (pipeline, "partition", chain, seq, state, offsets, watermark_ms, taken_at, size_bytes)
       SELECT $1, s.p, s.chain, s.seq, s.state, s.offsets, s.watermark, now(), length(s.state)
       FROM (VALUES ${rows(deltas)}) AS s(p, chain, seq, state, offsets, watermark)
       ON CONFLICT (pipeline, "partition", chain, seq) DO UPDATE SET
         state = EXCLUDED.state, offsets = EXCLUDED.offsets,
         watermark_ms = EXCLUDED.watermark_ms, taken_at = EXCLUDED.taken_at,
         size_bytes = EXCLUDED.size_bytes
     )`,
    );
  }
  // Data-modifying CTEs run whether or not the query reads them.
  await client.query(`WITH ${steps.join(', ')}\nSELECT 1`, params);
}

export interface StoredSnapshot {
  base: Uint8Array;
  /** The base's chain's deltas, in order, without gaps. */
  deltas: Uint8Array[];
  /** Next offsets once the last of them is applied. */
  offsets: Record<string, string>;
  /** Bytes read: the base and its deltas. */
  sizeBytes: number;
  baseBytes: number;
}

/** The partition's base and its chain's deltas, read in one statement (one consistent view). */
export async function loadSnapshot(
  pool: pg.Pool,
  pipeline: string,
  partition: number,
): Promise<StoredSnapshot | undefined> {
  const { rows } = await pool.query<{
    seq: string;
    state: Buffer;
    offsets: Record<string, string>;
    size_bytes: number;
  }>(
    `SELECT -1::bigint AS seq, state, offsets, size_bytes FROM commerce.speed_snapshots
     WHERE pipeline = $1 AND "partition" = $2
     UNION ALL
     SELECT d.seq, d.state, d.offsets, d.size_bytes
     FROM commerce.speed_snapshot_deltas d
     JOIN commerce.speed_snapshots b
       ON b.pipeline = d.pipeline AND b."partition" = d."partition" AND b.chain = d.chain
     WHERE d.pipeline = $1 AND d."partition" = $2 AND d.seq > b.seq
     ORDER BY 1`,
    [pipeline, partition],
  );
  const [base, ...rest] = rows;
  if (!base) return undefined;
  let offsets = base.offsets;
  let sizeBytes = base.size_bytes;
  const deltas: Uint8Array[] = [];
  // Deltas 1, 2, … in order; a gap (never expected) ends the chain there, at a consistent state.
  for (const [i, d] of rest.entries()) {
    if (Number(d.seq) !== i + 1) break;
    deltas.push(new Uint8Array(d.state));
    offsets = d.offsets;
    sizeBytes += d.size_bytes;
  }
  return {
    base: new Uint8Array(base.state),
    deltas,
    offsets,
    sizeBytes,
    baseBytes: base.size_bytes,
  };
}

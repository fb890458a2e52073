// Snapshot storage against a real database: a base and its chain's deltas come back in order
// with the last delta's offsets; a new base drops every delta of its partition; deltas of an
// older chain (a previous owner's late writes) and anything after a gap are never applied; a
// retried write stores the same thing once.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createTestDatabase, type TestDatabase } from '../../test/db/test-database.ts';
import { loadSnapshot, saveSnapshots, type PartitionSnapshot } from './snapshots.ts';

let database: TestDatabase;
let pool: pg.Pool;
const PIPELINE = 'test-attributor';

beforeAll(async () => {
  database = await createTestDatabase(loadConfig().DATABASE_URL);
  pool = new pg.Pool({ connectionString: database.url });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

beforeEach(async () => {
  await pool.query(
    'DELETE FROM commerce.speed_snapshots; DELETE FROM commerce.speed_snapshot_deltas',
  );
});

const snap = (
  kind: 'base' | 'delta',
  chain: string,
  seq: number,
  tag: number,
  partition = 0,
): PartitionSnapshot => ({
  partition,
  kind,
  chain,
  seq,
  state: Uint8Array.from([tag, tag, tag]),
  offsets: { 'clicks-by-user': String(tag) },
  watermark: tag,
});
const tags = (s: Awaited<ReturnType<typeof loadSnapshot>>) =>
  s && { base: s.base[0], deltas: s.deltas.map((d) => d[0]), offsets: s.offsets };

describe('snapshot storage', () => {
  it('returns nothing for a partition never stored', async () => {
    expect(await loadSnapshot(pool, PIPELINE, 0)).toBeUndefined();
  });

  it('reads a base and its deltas in order, with the offsets of the last one', async () => {
    await saveSnapshots(pool, PIPELINE, [snap('base', 'A', 0, 10), snap('base', 'X', 0, 90, 1)]);
    await saveSnapshots(pool, PIPELINE, [snap('delta', 'A', 1, 11), snap('delta', 'X', 1, 91, 1)]);
    await saveSnapshots(pool, PIPELINE, [snap('delta', 'A', 2, 12)]);
    expect(tags(await loadSnapshot(pool, PIPELINE, 0))).toEqual({
      base: 10,
      deltas: [11, 12],
      offsets: { 'clicks-by-user': '12' },
    });
    expect(tags(await loadSnapshot(pool, PIPELINE, 1))).toMatchObject({ base: 90, deltas: [91] });
    expect((await loadSnapshot(pool, PIPELINE, 0))?.sizeBytes).toBe(9);
  });

  it('stores states byte for byte: every byte value, a state of megabytes, several at once', async () => {
    const everyByte = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);
    const large = Uint8Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 31 + (i >> 8)) % 256);
    const slice = large.subarray(5, 1000); // a view into a larger buffer: only its bytes
    await saveSnapshots(pool, PIPELINE, [
      { ...snap('base', 'A', 0, 1, 0), state: everyByte },
      { ...snap('base', 'B', 0, 2, 1), state: large },
      { ...snap('base', 'C', 0, 3, 2), state: new Uint8Array(0) },
    ]);
    await saveSnapshots(pool, PIPELINE, [
      { ...snap('delta', 'A', 1, 4, 0), state: slice },
      { ...snap('delta', 'B', 1, 5, 1), state: everyByte },
    ]);
    const a = await loadSnapshot(pool, PIPELINE, 0);
    expect(Buffer.from(a!.base).equals(Buffer.from(everyByte))).toBe(true);
    expect(Buffer.from(a!.deltas[0]!).equals(Buffer.from(slice))).toBe(true);
    expect(a!.sizeBytes).toBe(512 + 995);
    const b = await loadSnapshot(pool, PIPELINE, 1);
    expect(Buffer.from(b!.base).equals(Buffer.from(large))).toBe(true);
    expect(Buffer.from(b!.deltas[0]!).equals(Buffer.from(everyByte))).toBe(true);
    expect((await loadSnapshot(pool, PIPELINE, 2))?.base).toHaveLength(0);
  });

  it('drops the deltas of a partition when its new base is stored, in the same statement', async () => {
    await saveSnapshots(pool, PIPELINE, [snap('base', 'A', 0, 10), snap('base', 'X', 0, 90, 1)]);
    await saveSnapshots(pool, PIPELINE, [snap('delta', 'A', 1, 11), snap('delta', 'X', 1, 91, 1)]);
    // Partition 0 starts a new chain while partition 1 adds a delta, in one write.
    await saveSnapshots(pool, PIPELINE, [snap('base', 'B', 0, 20), snap('delta', 'X', 2, 92, 1)]);
    const { rows } = await pool.query<{ partition: number; chain: string }>(
      'SELECT "partition", chain FROM commerce.speed_snapshot_deltas ORDER BY 1, seq',
    );
    expect(rows).toEqual([
      { partition: 1, chain: 'X' },
      { partition: 1, chain: 'X' },
    ]);
    expect(tags(await loadSnapshot(pool, PIPELINE, 0))).toEqual({
      base: 20,
      deltas: [],
      offsets: { 'clicks-by-user': '20' },
    });
  });

  it("ignores a previous owner's late deltas of an older chain, and stops at a gap", async () => {
    await saveSnapshots(pool, PIPELINE, [snap('base', 'B', 0, 20)]);
    await saveSnapshots(pool, PIPELINE, [snap('delta', 'A', 3, 13)]); // late, older chain
    await saveSnapshots(pool, PIPELINE, [snap('delta', 'B', 1, 21)]);
    await saveSnapshots(pool, PIPELINE, [snap('delta', 'B', 3, 23)]); // 2 is missing
    expect(tags(await loadSnapshot(pool, PIPELINE, 0))).toEqual({
      base: 20,
      deltas: [21],
      offsets: { 'clicks-by-user': '21' },
    });
  });

  it('stores a retried write once (idempotent), and keeps pipelines apart', async () => {
    const write = [snap('base', 'A', 0, 10), snap('delta', 'X', 1, 91, 1)];
    await saveSnapshots(pool, PIPELINE, [snap('base', 'X', 0, 90, 1)]);
    await saveSnapshots(pool, PIPELINE, write);
    await saveSnapshots(pool, PIPELINE, write);
    await saveSnapshots(pool, 'other-pipeline', [snap('base', 'Z', 0, 50)]);
    expect(tags(await loadSnapshot(pool, PIPELINE, 1))).toMatchObject({ base: 90, deltas: [91] });
    expect(tags(await loadSnapshot(pool, PIPELINE, 0))).toMatchObject({ base: 10, deltas: [] });
    expect(tags(await loadSnapshot(pool, 'other-pipeline', 0))).toMatchObject({ base: 50 });
  });
});

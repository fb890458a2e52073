// Measures restoring partition states from snapshots in a fresh process, the shape of the
// speed-layer recovery benchmark: `clicks` retained clicks over 6 partitions, 100k users x 1000
// products, ids like the stream generator's; half of each partition's clicks in its base, half
// in one delta. `node --import tsx <this> [clicks] [--uuid] [--snapshots=<file>]`; prints JSON.
// With --snapshots the built snapshots are kept in (or read back from) that file, so that a
// profile of a second run shows the restore alone.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { AttributionPartition } from '../../lib/domain/partition-engine.ts';

const args = process.argv.slice(2);
const clicks = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const uuids = args.includes('--uuid');
const PARTITIONS = 6;
const t0 = Date.UTC(2026, 10, 2);

const file = args.find((a) => a.startsWith('--snapshots='))?.slice('--snapshots='.length);

function build(): { base: Buffer; deltas: Buffer[] }[] {
  const snapshots: { base: Buffer; deltas: Buffer[] }[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const engine = new AttributionPartition({
      allowedLatenessMs: 30_000,
      expectedSources: ['c/0'],
    });
    const n = Math.ceil(clicks / PARTITIONS);
    const feed = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const seq = p * n + i;
        engine.onClick({
          clickId: uuids ? randomUUID() : `clk-r1a2b3-${seq.toString(36).padStart(8, '0')}`,
          userId: (seq * 7919) % 100_000,
          productId: String((seq * 104_729) % 1000),
          time: t0 + i * 3,
        });
      }
      engine.drain();
    };
    feed(0, n / 2);
    const base = engine.encodeSnapshot();
    feed(n / 2, n);
    snapshots.push({ base, deltas: [engine.encodeDelta().bytes] });
  }
  return snapshots;
}

/** Stored as JSON of base64: the file is written once and read back outside the measured part. */
function load(): { base: Buffer; deltas: Buffer[] }[] {
  if (file !== undefined && existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { base: string; deltas: string[] }[];
    return stored.map((s) => ({
      base: Buffer.from(s.base, 'base64'),
      deltas: s.deltas.map((d) => Buffer.from(d, 'base64')),
    }));
  }
  const built = build();
  if (file !== undefined) {
    const stored = built.map((s) => ({
      base: s.base.toString('base64'),
      deltas: s.deltas.map((d) => d.toString('base64')),
    }));
    writeFileSync(file, JSON.stringify(stored));
  }
  return built;
}

const snapshots = load();
const bytes = snapshots.reduce((sum, s) => sum + s.base.length + s.deltas[0]!.length, 0);
const started = performance.now();
const cpu = process.cpuUsage();
let restored = 0;
for (const s of snapshots) restored += AttributionPartition.decode(s.base, s.deltas).stats().clicks;
const ms = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
// CPU time as well: on a shared machine it moves much less than wall time.
const cpuMs = Math.round((user + system) / 1000);
console.log(
  JSON.stringify({ clicks: restored, snapshotBytes: bytes, restoreMs: Math.round(ms), cpuMs }),
);

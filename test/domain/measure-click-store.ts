// Measures the memory of a ClickStore holding `n` UUID clicks over users x products, in a fresh
// process (`node --expose-gc --import tsx <this> users products n`), and prints JSON. A fresh
// process keeps other tests' garbage and JIT code out of the figure.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClickStore } from '../../lib/domain/click-store.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

/** Product ids as the consumer sees them: parsed out of JSON, so flat strings. */
function parsedUuids(n: number): string[] {
  return JSON.parse(JSON.stringify(Array.from({ length: n }, () => randomUUID()))) as string[];
}

async function used(): Promise<number> {
  // Array buffers of replaced slabs are freed by a background task after the GC: wait for it.
  gc!();
  await sleep(50);
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers; // the slabs are typed arrays, outside the JS heap
}

async function main(): Promise<void> {
  const [users, products, n] = process.argv.slice(2).map(Number) as [number, number, number];
  const productIds = parsedUuids(products);
  const before = await used();
  const store = new ClickStore();
  const t0 = Date.parse('2026-03-01T10:00:00Z');
  for (let i = 0; i < n; i++) {
    store.add(
      i % users,
      productIds[Math.floor(i / users) % products] as string,
      randomUUID(), // a flat string, as one parsed out of JSON
      t0 + i * 17,
    );
  }
  // Each id string was made after `before`: what the store keeps of it counts, the rest is gone.
  const after = await used();
  const bytesPerClick = (after - before) / n;
  const estimatePerClick = store.estimateHeapBytes() / n;
  console.log(
    JSON.stringify({
      keys: store.keyCount,
      clicks: store.clickCount,
      bytesPerClick,
      estimatePerClick,
    }),
  );
}

await main();

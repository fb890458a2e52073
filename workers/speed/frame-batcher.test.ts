import { describe, expect, it } from 'vitest';
import { FrameBatcher, MAX_FRAME_BYTES } from './frame-batcher.ts';
import { decodeInternal, type RoutedClick } from './internal-wire.ts';

const click = (i: number, productId = 'p'): RoutedClick => ({
  clickId: `k-${i}`,
  userId: i,
  productId,
  time: i,
});

/** Each partition's click ids and markers, in the order the messages carry them. */
function perPartition(messages: { partition: number; value: Buffer }[]) {
  const seen = new Map<number, string[]>();
  for (const m of messages) {
    const list = seen.get(m.partition) ?? [];
    for (const r of decodeInternal(m.value)) {
      list.push(r.kind === 'click' ? r.click.clickId : r.kind === 'marker' ? 'marker' : 'checkout');
    }
    seen.set(m.partition, list);
  }
  return seen;
}

describe('FrameBatcher', () => {
  it('packs a batch into one frame per partition, each ending with its marker', () => {
    const frames = new FrameBatcher('clicks/0', 1_048_588);
    for (let i = 0; i < 10; i++)
      expect(frames.add(i % 2, (f) => f.click(click(i), 0))).toBe('added');
    for (const p of [0, 1, 2]) frames.add(p, (f) => f.marker(9, false));
    const out = frames.finish();
    expect(out).toHaveLength(3);
    expect(perPartition(out)).toEqual(
      new Map([
        [0, ['k-0', 'k-2', 'k-4', 'k-6', 'k-8', 'marker']],
        [1, ['k-1', 'k-3', 'k-5', 'k-7', 'k-9', 'marker']],
        [2, ['marker']],
      ]),
    );
  });

  it('cuts a frame before it outgrows the frame size, keeping the order', () => {
    const frames = new FrameBatcher('clicks/0', 1_048_588);
    const big = 'x'.repeat(1000);
    for (let i = 0; i < 600; i++) frames.add(0, (f) => f.click(click(i, big), 0));
    frames.add(0, (f) => f.marker(1, false));
    const out = frames.finish();
    expect(out.length).toBeGreaterThan(2);
    for (const m of out) expect(m.value.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const ids = perPartition(out).get(0)!;
    expect(ids).toEqual([...Array.from({ length: 600 }, (_, i) => `k-${i}`), 'marker']);
  });

  it('keeps frames under a small topic limit, and refuses a record no frame can hold', () => {
    const limit = 4_000;
    const frames = new FrameBatcher('clicks/0', limit);
    expect(frames.add(0, (f) => f.click(click(1, 'y'.repeat(2_000)), 0))).toBe('added');
    expect(frames.add(0, (f) => f.click(click(2, 'y'.repeat(2_000)), 0))).toBe('added');
    expect(frames.add(0, (f) => f.click(click(3, 'z'.repeat(5_000)), 0))).toBe('too_large');
    expect(frames.add(0, (f) => f.click(click(4), 0))).toBe('added');
    const out = frames.finish();
    for (const m of out) expect(m.value.length).toBeLessThan(limit);
    expect(perPartition(out).get(0)).toEqual(['k-1', 'k-2', 'k-4']);
  });
});

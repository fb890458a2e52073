import { describe, expect, it } from 'vitest';
import { WatermarkTracker } from './watermark.ts';

const L = 15_000;
const sources = ['clicks/0', 'clicks/1', 'checkouts/0'];
const marker = (source: string, maxEventTime: number, idle = false) => ({
  source,
  maxEventTime,
  idle,
});

describe('WatermarkTracker', () => {
  it('stays at -Infinity until every expected source has reported', () => {
    const w = new WatermarkTracker(sources, L);
    expect(w.observe(marker('clicks/0', 100_000))).toBe(false);
    expect(w.observe(marker('clicks/1', 200_000))).toBe(false);
    expect(w.watermark).toBe(-Infinity);
    expect(w.observe(marker('checkouts/0', 50_000))).toBe(true);
    expect(w.watermark).toBe(50_000 - L);
  });

  it('is the minimum over the sources of maxEventTime - L', () => {
    const w = new WatermarkTracker(sources, L);
    w.observe(marker('clicks/0', 100_000));
    w.observe(marker('clicks/1', 200_000));
    w.observe(marker('checkouts/0', 300_000));
    expect(w.watermark).toBe(100_000 - L);
    w.observe(marker('clicks/0', 250_000));
    expect(w.watermark).toBe(200_000 - L);
  });

  it('holds an idle source at the stamp its marker carries, not out of the minimum', () => {
    const w = new WatermarkTracker(sources, L);
    w.observe(marker('clicks/0', 100_000));
    w.observe(marker('clicks/1', 200_000));
    w.observe(marker('checkouts/0', -Infinity, true)); // idle, nothing read anywhere yet
    expect(w.watermark).toBe(-Infinity);
    w.observe(marker('checkouts/0', 150_000, true)); // idle, stamped with what was read elsewhere
    expect(w.watermark).toBe(100_000 - L);
    w.observe(marker('clicks/0', 200_000, true));
    expect(w.watermark).toBe(150_000 - L);
  });

  it('reaches the largest event time seen - L once every source reports it', () => {
    const w = new WatermarkTracker(sources, L);
    w.observe(marker('clicks/0', 200_000, true));
    w.observe(marker('clicks/1', 200_000, true));
    expect(w.watermark).toBe(-Infinity); // checkouts/0 unheard
    w.observe(marker('checkouts/0', 200_000, true));
    expect(w.watermark).toBe(200_000 - L);
    expect(w.maxEventTime).toBe(200_000);
  });

  it('never moves backwards: a source waking up behind, a restarted source reporting less', () => {
    const w = new WatermarkTracker(['a', 'b'], L);
    w.observe(marker('a', 500_000));
    w.observe(marker('b', 520_000, true));
    expect(w.watermark).toBe(500_000 - L);
    expect(w.observe(marker('b', 100_000, false))).toBe(false); // a restarted reader, behind
    expect(w.watermark).toBe(500_000 - L);
    w.observe(marker('b', 600_000));
    w.observe(marker('a', 1_000)); // max per source never decreases
    expect(w.watermark).toBe(500_000 - L);
  });

  it('adds a source it was not told about at its first marker', () => {
    const w = new WatermarkTracker(['a'], L);
    w.observe(marker('a', 500_000));
    w.observe(marker('new', 300_000));
    expect(w.watermark).toBe(500_000 - L); // monotone
    w.observe(marker('a', 900_000));
    expect(w.watermark).toBe(500_000 - L); // 'new' now holds it
    w.observe(marker('new', 800_000));
    expect(w.watermark).toBe(800_000 - L);
  });

  it('round-trips through sourceStates / restore', () => {
    const w = new WatermarkTracker(sources, L);
    w.observe(marker('clicks/0', 100_000, true));
    w.observe(marker('clicks/1', 200_000));
    w.observe(marker('checkouts/0', 300_000));
    const r = WatermarkTracker.restore(L, w.watermark, w.sourceStates());
    expect(r.watermark).toBe(w.watermark);
    expect(r.sourceStates()).toEqual(w.sourceStates());
    w.observe(marker('clicks/1', 400_000));
    r.observe(marker('clicks/1', 400_000));
    expect(r.watermark).toBe(w.watermark);
  });

  it('forgets the progress of sources that reported past a bound, and lowers the watermark', () => {
    const poisoned = Date.UTC(2099, 0, 1);
    const w = new WatermarkTracker(sources, L);
    w.observe(marker('clicks/0', poisoned));
    w.observe(marker('clicks/1', poisoned, true));
    w.observe(marker('checkouts/0', poisoned, true));
    expect(w.watermark).toBe(poisoned - L);
    const restored = WatermarkTracker.restore(L, w.watermark, w.sourceStates());
    const now = Date.UTC(2026, 10, 29);
    expect(restored.forgetProgressAfter(now + 60_000)).toEqual(sources);
    expect(restored.watermark).toBe(-Infinity);
    // The sources report again and the watermark follows them, from a sane value.
    for (const s of sources) restored.observe(marker(s, now, true));
    expect(restored.watermark).toBe(now - L);
  });

  it('leaves a sound state alone', () => {
    const w = new WatermarkTracker(sources, L);
    for (const s of sources) w.observe(marker(s, 100_000));
    expect(w.forgetProgressAfter(200_000)).toEqual([]);
    expect(w.watermark).toBe(100_000 - L);
  });
});

describe('WatermarkTracker.sourceAdvances', () => {
  it('counts the markers that moved a source on, even while the watermark waits for another', () => {
    const w = new WatermarkTracker(sources, L);
    w.observe(marker('clicks/0', 100_000));
    w.observe(marker('clicks/0', 100_000)); // no further: not counted
    w.observe(marker('clicks/0', 90_000)); // older (a re-read): not counted
    w.observe(marker('checkouts/0', 200_000));
    expect(w.watermark).toBe(-Infinity); // clicks/1 has not reported
    expect(w.sourceAdvances).toBe(2);
    w.observe(marker('clicks/0', 110_000));
    w.observe(marker('clicks/9', 50_000)); // a partition added later
    expect(w.sourceAdvances).toBe(4);
  });
});

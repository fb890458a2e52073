import { describe, expect, it } from 'vitest';
import { CounterMeter, histogramQuantile } from './pipeline-meter.ts';

const readings = (entries: Record<string, Record<string, number>>) =>
  new Map(Object.entries(entries).map(([w, s]) => [w, new Map(Object.entries(s))]));

describe('CounterMeter', () => {
  it('has no rate before two rounds, and the first reading is a baseline, not a burst', () => {
    const meter = new CounterMeter();
    meter.observe(0, readings({ a: { events: 1_000_000 } }));
    expect(meter.rate(['events'], 3_000)).toBeNull();
    meter.observe(1_000, readings({ a: { events: 1_000_010 } }));
    expect(meter.rate(['events'], 3_000)).toBe(10);
  });

  it('sums workers and survives a worker restart (counter drop) and a missed scrape', () => {
    const meter = new CounterMeter();
    meter.observe(0, readings({ a: { events: 100 }, b: { events: 50 } }));
    meter.observe(1_000, readings({ a: { events: 120 }, b: { events: 60 } })); // +30
    meter.observe(2_000, readings({ a: { events: 5 }, b: { events: 70 } })); // a restarted: +5 +10
    meter.observe(3_000, readings({ b: { events: 80 } })); // a missed: +10
    meter.observe(4_000, readings({ a: { events: 15 }, b: { events: 90 } })); // +10 +10
    expect(meter.rate(['events'], 4_000)).toBe((30 + 15 + 10 + 20) / 4);
    expect(meter.rate(['events'], 1_000)).toBe(20);
  });

  it('answers over about the window asked, and adds series', () => {
    const meter = new CounterMeter();
    for (let t = 0; t <= 10; t++)
      meter.observe(t * 1_000, readings({ a: { x: t * 10, y: t * t } }));
    expect(meter.rate(['x'], 3_000)).toBe(10);
    expect(meter.rate(['x', 'y'], 1_000)).toBe(10 + (100 - 81));
    expect(meter.deltasByPrefix('', 2_000)).toEqual(
      new Map([
        ['x', 20],
        ['y', 100 - 64],
      ]),
    );
  });
});

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank', () => {
    // 100 observations: 50 ≤ 0.1, 90 ≤ 0.5, 100 ≤ 1.
    const buckets = new Map([
      [0.1, 50],
      [0.5, 90],
      [1, 100],
      [Infinity, 100],
    ]);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.1 + 0.4 * (20 / 40));
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.5 + 0.5 * (5 / 10));
  });

  it('answers the largest finite bound when the rank is in +Inf, and null without data', () => {
    expect(
      histogramQuantile(
        0.99,
        new Map([
          [1, 10],
          [Infinity, 20],
        ]),
      ),
    ).toBe(1);
    expect(
      histogramQuantile(
        0.5,
        new Map([
          [1, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNull();
    expect(histogramQuantile(0.5, new Map())).toBeNull();
  });
});

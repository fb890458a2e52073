import { describe, expect, it } from 'vitest';
import { explainAttribution } from './attribution-timeline.ts';

const H = 3_600_000;
const T = Date.parse('2026-11-24T11:00:00Z');

describe('explainAttribution', () => {
  it('marks the earliest in-window click the winner and says why the others lost', () => {
    const timeline = explainAttribution(
      { time: T, clickId: 'k-0940', clickTime: T - 20 * 60_000 },
      [
        { clickId: 'k-0900', time: T - H - 1 }, // 1 ms outside the window (spec case 2)
        { clickId: 'k-0940', time: T - 20 * 60_000 },
        { clickId: 'k-1005', time: T - 5 * 60_000 },
        { clickId: 'k-after', time: T + 1 }, // spec case 4
      ],
    );
    expect(timeline.winnerId).toBe('k-0940');
    expect(timeline.agreesWithSink).toBe(true);
    expect(timeline.windowStart).toBe(T - H);
    expect(timeline.clicks.map((c) => [c.clickId, c.role])).toEqual([
      ['k-0900', 'before-window'],
      ['k-0940', 'winner'],
      ['k-1005', 'candidate'],
      ['k-after', 'after-checkout'],
    ]);
  });

  it('counts both window ends, and breaks ties by the smaller id', () => {
    const timeline = explainAttribution({ time: T, clickId: 'a', clickTime: T - H }, [
      { clickId: 'b', time: T - H },
      { clickId: 'a', time: T - H },
      { clickId: 'c', time: T },
    ]);
    expect(timeline.winnerId).toBe('a');
    const b = timeline.clicks.find((c) => c.clickId === 'b');
    expect(b?.role).toBe('candidate');
    expect(b?.reason).toContain('ties go to the smaller id');
    expect(timeline.clicks.find((c) => c.clickId === 'c')?.role).toBe('candidate');
  });

  it('falls back to the sink row’s click when the workers have nothing, and says it cannot compare', () => {
    const timeline = explainAttribution({ time: T, clickId: 'k1', clickTime: T - 60_000 }, null);
    expect(timeline.clicks).toEqual([
      expect.objectContaining({ clickId: 'k1', role: 'winner', source: 'sink' }),
    ]);
    expect(timeline.agreesWithSink).toBeNull();
  });

  it('notices when the retained clicks pick another click than the row', () => {
    const timeline = explainAttribution({ time: T, clickId: null, clickTime: null }, [
      { clickId: 'late-click', time: T - 60_000 },
    ]);
    expect(timeline.winnerId).toBe('late-click');
    expect(timeline.agreesWithSink).toBe(false);
  });
});

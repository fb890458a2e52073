// The event-time watermark of one attributor partition, built from the repartitioner's markers
// (docs/design.md, "Watermark markers"). Invariants: monotone, and never above (largest event
// time any source reported - allowed lateness), so every on-time event is at or above it.

/** Sent by the repartitioner after each batch of source partition `source` (e.g. `clicks/3`). */
export interface WatermarkMarker {
  source: string;
  /** Largest event time read from the source so far; -Infinity when none. */
  maxEventTime: number;
  /**
   * Caught up and silent for the idle timeout. Informational: an idle source's marker carries
   * a stamp (see workers/speed/repartitioner.ts) that lets it stop holding the watermark back
   * without ever making an on-time event late, so the minimum includes it like any other.
   */
  idle: boolean;
}

export interface SourceState {
  source: string;
  maxEventTime: number;
  idle: boolean;
}

export class WatermarkTracker {
  private readonly sources = new Map<string, { maxEventTime: number; idle: boolean }>();
  private current = -Infinity;

  /** `expectedSources`: every partition of both raw topics; unheard ones hold it at -Infinity. */
  constructor(
    expectedSources: Iterable<string>,
    readonly latenessMs: number,
  ) {
    for (const source of expectedSources) {
      this.sources.set(source, { maxEventTime: -Infinity, idle: false });
    }
  }

  get watermark(): number {
    return this.current;
  }

  /** Largest event time reported by any source. */
  get maxEventTime(): number {
    let max = -Infinity;
    for (const s of this.sources.values()) max = Math.max(max, s.maxEventTime);
    return max;
  }

  /**
   * Applies a marker; returns true when the watermark advanced. A source's max never goes
   * down (a restarted repartitioner re-reads from older offsets). A source not expected at
   * construction (a partition added later) joins the minimum from its first marker.
   */
  observe(marker: WatermarkMarker): boolean {
    const state = this.sources.get(marker.source);
    if (state) {
      state.maxEventTime = Math.max(state.maxEventTime, marker.maxEventTime);
      state.idle = marker.idle;
    } else {
      this.sources.set(marker.source, { maxEventTime: marker.maxEventTime, idle: marker.idle });
    }
    return this.recompute();
  }

  /**
   * min over every source of maxEventTime - L. Idle sources are not dropped from the minimum:
   * dropping them is racy (their next data may already be on its way and would turn late);
   * instead their markers carry a safe stamp that keeps them moving (docs/design.md).
   */
  private recompute(): boolean {
    let min = Infinity;
    for (const s of this.sources.values()) min = Math.min(min, s.maxEventTime);
    const candidate = min - this.latenessMs;
    if (candidate > this.current) {
      this.current = candidate;
      return true;
    }
    return false;
  }

  /** The state for a snapshot. */
  sourceStates(): SourceState[] {
    return [...this.sources].map(([source, s]) => ({ source, ...s }));
  }

  static restore(latenessMs: number, watermark: number, sources: SourceState[]): WatermarkTracker {
    const tracker = new WatermarkTracker([], latenessMs);
    for (const s of sources) {
      tracker.sources.set(s.source, { maxEventTime: s.maxEventTime, idle: s.idle });
    }
    tracker.current = watermark;
    return tracker;
  }
}

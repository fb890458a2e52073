// The event-time watermark of one attributor partition, built from the repartitioner's markers
// (docs/design.md, "Watermark markers"). Invariants: monotone, and never above (largest event
// time any source reported - allowed lateness), so every on-time event is at or above it.

/** Sent by the repartitioner after each batch of source partition `source` (e.g. `clicks/3`). */
export interface WatermarkMarker {
  source: string;
  /** Largest event time read from the source so far; -Infinity when none. */
  maxEventTime: number;
  /** Caught up and silent for the idle timeout: does not hold the watermark back. */
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
   * min over non-idle sources of maxEventTime - L. When every source is idle, everything
   * produced has been read, so the spec's own watermark (largest event time seen - L) holds;
   * staying put instead would leave the last L of checkouts provisional until new traffic.
   */
  private recompute(): boolean {
    let minActive = Infinity;
    let maxAll = -Infinity;
    let anyActive = false;
    for (const s of this.sources.values()) {
      maxAll = Math.max(maxAll, s.maxEventTime);
      if (!s.idle) {
        anyActive = true;
        minActive = Math.min(minActive, s.maxEventTime);
      }
    }
    const candidate = (anyActive ? minActive : maxAll) - this.latenessMs;
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

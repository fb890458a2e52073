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
  private advances = 0;

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

  /**
   * How many times a source's largest event time has risen since this tracker was made: the
   * partition is being read while it grows, even while the watermark waits for a source.
   */
  get sourceAdvances(): number {
    return this.advances;
  }

  /** How many sources make the minimum (the expected ones and any that joined later). */
  get sourceCount(): number {
    return this.sources.size;
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
    if (marker.maxEventTime > (state?.maxEventTime ?? -Infinity)) this.advances++;
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

  /**
   * Forgets the progress of every source that reported an event time after `limit` (a bound
   * no valid event can pass: the reading process's clock plus the allowed future skew) and
   * recomputes the watermark from the rest, even if that lowers it. Only for a state restored
   * from a snapshot written before events from the far future were refused: such a watermark
   * would turn every later event late. The forgotten sources report again with their next
   * marker (or idle stamp). Returns the sources forgotten.
   */
  forgetProgressAfter(limit: number): string[] {
    const forgotten: string[] = [];
    for (const [source, s] of this.sources) {
      if (s.maxEventTime > limit) {
        s.maxEventTime = -Infinity;
        forgotten.push(source);
      }
    }
    if (forgotten.length > 0 || this.current > limit) {
      let min = Infinity;
      for (const s of this.sources.values()) min = Math.min(min, s.maxEventTime);
      this.current = Math.min(this.current, min - this.latenessMs);
    }
    return forgotten;
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

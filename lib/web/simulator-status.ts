// What the simulator reports about itself (GET /api/simulator, pushed as `simulator` over
// socket.io). Types only, shared with the browser. These are the simulator's own counts of what
// it sent; the dashboard never shows them as pipeline figures.
import type { MixChannel } from '../simulator/channel-mix.ts';
import type { BackfillSettings, LiveTrafficSettings } from './schemas.ts';

export interface SentCounts {
  sent: number;
  clicks: number;
  checkouts: number;
  malformed: number;
  duplicates: number;
  late: number;
  renames: number;
  /** Clicks sent per channel they were made for (settings.channelMix says which mix). */
  channels: Partial<Record<MixChannel, number>>;
}

export interface LiveStatus {
  state: 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';
  settings: LiveTrafficSettings | null;
  startedAt: number | null;
  stoppedAt: number | null;
  counts: SentCounts;
  /** Messages sent per second, measured over the last seconds. */
  sendRate: number;
  error: string | null;
}

export interface BackfillStatus {
  state: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  settings: BackfillSettings | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** Share of the event-time span written, 0..1. */
  fraction: number;
  counts: SentCounts;
  /** Seconds left at the current pace, when known. */
  etaSec: number | null;
  error: string | null;
}

export interface SimulatorStatus {
  live: LiveStatus;
  backfill: BackfillStatus;
  seeded: { users: number; products: number; at: number } | null;
  topics: { clicks: string; checkouts: string };
}

// The socket.io event contract between server.ts and the browser: one place, so the server's
// emits and the client's listeners cannot drift apart.
import type { PipelineSnapshot, SeriesPoint } from './pipeline-snapshot.ts';
import type { SimulatorStatus } from './simulator-status.ts';

/** A liveness tick the server sends every second; `at` is the server's clock in epoch ms. */
export interface Heartbeat {
  at: number;
}

export interface ServerToClientEvents {
  heartbeat: (beat: Heartbeat) => void;
  /** Every second: the pipeline's figures, from the workers' metrics and the sink. */
  pipeline: (snapshot: PipelineSnapshot) => void;
  /** Once on connect: the recent points, so charts start with history. */
  pipelineHistory: (points: SeriesPoint[]) => void;
  /** Every second: what the simulator is sending. */
  simulator: (status: SimulatorStatus) => void;
}

// The browser only listens.
export type ClientToServerEvents = Record<string, never>;

/** How often the server emits a heartbeat (and the pipeline and simulator updates). */
export const HEARTBEAT_INTERVAL_MS = 1_000;

// The socket.io event contract between server.ts and the browser: one place, so the server's
// emits and the client's listeners cannot drift apart.

/** A liveness tick the server sends every second; `at` is the server's clock in epoch ms. */
export interface Heartbeat {
  at: number;
}

export interface ServerToClientEvents {
  heartbeat: (beat: Heartbeat) => void;
}

// The browser only listens for now.
export type ClientToServerEvents = Record<string, never>;

/** How often the server emits a heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 1_000;

'use client';
// One socket.io connection per browser tab, shared by every component that listens (the live
// badge, the dashboard, the simulator and admin pages), and a hook to subscribe to one event.
// The server decides what a socket gets from the session cookie of its handshake, so signing in
// opens a new connection; a socket the server drops is reopened (as whoever this browser is now).
import { useEffect, useRef } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../lib/web/live-events.ts';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | undefined;

export function liveSocket(): LiveSocket {
  if (!socket) {
    const s: LiveSocket = io();
    s.on('disconnect', (reason) => {
      // socket.io reconnects by itself after network trouble, but not after the server's own
      // disconnect (a session that ended on a closed dashboard): try again shortly.
      if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1_000);
    });
    socket = s;
  }
  return socket;
}

/** A fresh handshake, so the server sees this browser's new sign-in state. */
export function reconnectLiveSocket(): void {
  if (!socket) return;
  socket.disconnect();
  socket.connect();
}

/**
 * Calls `handler` on every `event` while the component is mounted. The latest handler is used
 * without resubscribing, so callers may pass inline functions.
 */
export function useLiveEvent<E extends keyof ServerToClientEvents>(
  event: E,
  handler: ServerToClientEvents[E],
): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    const s = liveSocket();
    const listener = ((...args: Parameters<ServerToClientEvents[E]>) =>
      (latest.current as (...a: Parameters<ServerToClientEvents[E]>) => void)(...args)) as never;
    s.on(event, listener);
    return () => {
      s.off(event, listener);
    };
  }, [event]);
}

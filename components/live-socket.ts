'use client';
// One socket.io connection per browser tab, shared by every component that listens (the live
// badge, the dashboard, the simulator and admin pages), and a hook to subscribe to one event.
import { useEffect, useRef } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@/app/live-events';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | undefined;

export function liveSocket(): LiveSocket {
  socket ??= io();
  return socket;
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

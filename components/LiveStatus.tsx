'use client';
// Shows whether the server's socket.io heartbeats are reaching this browser: "live" while a beat
// arrived within the last few intervals, "connecting" before the first, "offline" after silence.
import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import {
  HEARTBEAT_INTERVAL_MS,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@/app/live-events';

type LiveState = 'connecting' | 'live' | 'offline';

// Three missed beats, not one: a busy tab or a GC pause should not flicker the badge.
const SILENCE_LIMIT_MS = 3 * HEARTBEAT_INTERVAL_MS;

export function LiveStatus() {
  const [state, setState] = useState<LiveState>('connecting');
  // The server's clock at the last beat: shown on hover, and lets tests see beats keep coming.
  const [lastBeatAt, setLastBeatAt] = useState<number | undefined>(undefined);

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io();
    // Silence is measured on the browser's clock, so a skewed server clock cannot fake it.
    let receivedAt = 0;
    socket.on('heartbeat', ({ at }) => {
      receivedAt = Date.now();
      setLastBeatAt(at);
      setState('live');
    });
    const watchdog = setInterval(() => {
      if (receivedAt > 0 && Date.now() - receivedAt > SILENCE_LIMIT_MS) setState('offline');
    }, HEARTBEAT_INTERVAL_MS);
    return () => {
      clearInterval(watchdog);
      socket.disconnect();
    };
  }, []);

  return (
    <span
      className={`live-status live-status--${state}`}
      data-testid="live-status"
      data-last-beat-at={lastBeatAt}
      title={
        lastBeatAt === undefined
          ? 'no heartbeat yet'
          : `last heartbeat ${new Date(lastBeatAt).toLocaleTimeString()}`
      }
      role="status"
    >
      <span className="live-status__dot" aria-hidden="true" />
      {state}
    </span>
  );
}

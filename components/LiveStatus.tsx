'use client';
// Shows whether the server's socket.io heartbeats are reaching this browser: "live" while a beat
// arrived within the last few intervals, "connecting" before the first, "offline" after silence.
import { useEffect, useRef, useState } from 'react';
import { HEARTBEAT_INTERVAL_MS } from '../lib/web/live-events.ts';
import { useLiveEvent } from './live-socket.ts';

type LiveState = 'connecting' | 'live' | 'offline';

// Three missed beats, not one: a busy tab or a GC pause should not flicker the badge.
const SILENCE_LIMIT_MS = 3 * HEARTBEAT_INTERVAL_MS;

export function LiveStatus() {
  const [state, setState] = useState<LiveState>('connecting');
  // The server's clock at the last beat: shown on hover, and lets tests see beats keep coming.
  const [lastBeatAt, setLastBeatAt] = useState<number | undefined>(undefined);
  // Silence is measured on the browser's clock, so a skewed server clock cannot fake it.
  const receivedAt = useRef(0);

  useLiveEvent('heartbeat', ({ at }) => {
    receivedAt.current = Date.now();
    setLastBeatAt(at);
    setState('live');
  });

  useEffect(() => {
    const watchdog = setInterval(() => {
      if (receivedAt.current > 0 && Date.now() - receivedAt.current > SILENCE_LIMIT_MS) {
        setState('offline');
      }
    }, HEARTBEAT_INTERVAL_MS);
    return () => clearInterval(watchdog);
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

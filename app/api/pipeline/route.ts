// GET /api/pipeline: the latest pipeline snapshot and the recent series (what the dashboard gets
// over socket.io), for scripts and for browsers without a socket.
import { json } from '@/lib/web/http';
import { getWebRuntime } from '@/lib/web/web-runtime';

export function GET(): Response {
  const { poller } = getWebRuntime();
  return json({ snapshot: poller.latest(), history: poller.history() });
}

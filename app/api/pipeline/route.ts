// GET /api/pipeline: the latest pipeline snapshot and the recent series (what the dashboard gets
// over socket.io), for scripts and for browsers without a socket. The per-checkout feed only for
// the signed-in operator.
import { json, readerOf } from '../../../lib/web/http.ts';
import { snapshotFor } from '../../../lib/web/privacy.ts';
import { getWebRuntime } from '../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  const { poller } = getWebRuntime();
  return json({
    snapshot: snapshotFor(poller.latest(), reader.signedIn),
    history: poller.history(),
  });
}

// GET /api/pipeline/channels: the speed layer's live first-click revenue by the winning click's
// channel, over the dashboard's window (the newest rows of the last hour). Aggregates: open. It
// takes no parameters, and says so with a 400 rather than ignoring them.
import { liveRevenueByChannel } from '../../../../lib/web/attribution-queries.ts';
import { json, jsonError, readerOf, serverError } from '../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  const names = [...new URL(request.url).searchParams.keys()];
  if (names.length > 0) {
    return jsonError(400, `Bad query: no parameters are taken (got ${names.join(', ')})`);
  }
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  try {
    return json(await liveRevenueByChannel(getWebRuntime().prisma(), Date.now()));
  } catch (error) {
    return serverError(request, 'Cannot read the live revenue by channel', error);
  }
}

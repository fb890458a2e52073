// POST /api/simulator/stop { what: 'live' | 'backfill' | 'all' }: stops live traffic and/or
// cancels a running backfill. Admin only.
import { json, parseJsonBody, requireAdmin } from '../../../../lib/web/http.ts';
import { stopSchema } from '../../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function POST(request: Request): Promise<Response> {
  const { simulator } = getWebRuntime();
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, stopSchema);
  if (!body.ok) return body.response;
  const { what } = body.data;
  await Promise.all([
    what !== 'backfill' ? simulator.stopLive() : undefined,
    what !== 'live' ? simulator.cancelBackfill() : undefined,
  ]);
  return json(simulator.status());
}

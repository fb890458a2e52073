// POST /api/simulator/backfill { hours, rate, ...stream shape (channelMix included) }: writes N
// hours of past events as fast as Kafka takes them; progress shows in GET /api/simulator. Admin
// only.
import { json, jsonError, parseJsonBody, requireAdmin } from '../../../../lib/web/http.ts';
import { backfillSchema } from '../../../../lib/web/schemas.ts';
import { SimulatorConflict } from '../../../../lib/web/simulator-controller.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function POST(request: Request): Promise<Response> {
  const { simulator } = getWebRuntime();
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, backfillSchema);
  if (!body.ok) return body.response;
  try {
    return json(simulator.startBackfill(body.data), { status: 202 });
  } catch (error) {
    if (error instanceof SimulatorConflict) return jsonError(409, error.message);
    throw error;
  }
}

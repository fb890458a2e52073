// POST /api/simulator/start { rate, users, products, checkoutProbability, clickToCheckoutSec,
// outOfOrderShare, lateShare, duplicateShare, malformedShare, renameEverySec, channelMix }: starts
// live traffic (409 if it already runs). channelMix: 'balanced' (default), 'paid-heavy', 'plain'
// or weights per channel. Admin only.
import {
  json,
  jsonError,
  parseJsonBody,
  requireAdmin,
  serverError,
} from '../../../../lib/web/http.ts';
import { liveTrafficSchema } from '../../../../lib/web/schemas.ts';
import { SimulatorConflict } from '../../../../lib/web/simulator-controller.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function POST(request: Request): Promise<Response> {
  const { simulator } = getWebRuntime();
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, liveTrafficSchema);
  if (!body.ok) return body.response;
  try {
    return json(await simulator.startLive(body.data));
  } catch (error) {
    if (error instanceof SimulatorConflict) return jsonError(409, error.message);
    return serverError(request, 'Could not start traffic', error);
  }
}

// POST /api/simulator/wire-format { encoding: 'json' | 'avro', clickSchema: 'v1' | 'v2' }: how the
// simulator sends from now on (running traffic switches at its next batch). Avro registers the
// writer schemas under `<topic>-value` first: 409 with the registry's message if it refuses them
// or no registry is configured, 503 if it does not answer. Admin only.
import {
  json,
  jsonError,
  parseJsonBody,
  requireAdmin,
  serverError,
} from '../../../../lib/web/http.ts';
import { SchemaRegistrationRefused } from '../../../../lib/simulator/schema-registration.ts';
import { SimulatorConflict } from '../../../../lib/web/simulator-controller.ts';
import { wireFormatSchema } from '../../../../lib/web/simulator-wire-schemas.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function POST(request: Request): Promise<Response> {
  const { simulator } = getWebRuntime();
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, wireFormatSchema);
  if (!body.ok) return body.response;
  try {
    return json(await simulator.setWireFormat(body.data));
  } catch (error) {
    if (error instanceof SchemaRegistrationRefused || error instanceof SimulatorConflict)
      return jsonError(409, error.message);
    return serverError(request, 'The schema registry could not register the schemas', error, 503);
  }
}

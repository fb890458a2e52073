// POST /api/simulator/schemas { clickSchema: 'v1' | 'v2' | 'v3' }: registers that click schema
// under the clicks topic's subject and answers { subject, id }. v3 drops a required field: the
// registry refuses it under the configured compatibility, answered as 409 with the registry's own
// message (what the simulator page shows). 503 if the registry does not answer. Admin only.
import {
  json,
  jsonError,
  parseJsonBody,
  requireAdmin,
  serverError,
} from '../../../../lib/web/http.ts';
import { SchemaRegistrationRefused } from '../../../../lib/simulator/schema-registration.ts';
import { SimulatorConflict } from '../../../../lib/web/simulator-controller.ts';
import { clickSchemaRegistrationSchema } from '../../../../lib/web/simulator-wire-schemas.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function POST(request: Request): Promise<Response> {
  const { simulator } = getWebRuntime();
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, clickSchemaRegistrationSchema);
  if (!body.ok) return body.response;
  try {
    const registered = await simulator.registerClickSchema(body.data.clickSchema);
    return json({ clickSchema: body.data.clickSchema, ...registered });
  } catch (error) {
    if (error instanceof SchemaRegistrationRefused || error instanceof SimulatorConflict)
      return jsonError(409, error.message);
    return serverError(request, 'The schema registry could not register the schema', error, 503);
  }
}

// POST /api/simulator/seed { users, products }: inserts the reference users and products the
// simulator's events refer to (existing ids are kept). Admin only.
import { json, parseJsonBody, requireAdmin, serverError } from '../../../../lib/web/http.ts';
import { seedSchema } from '../../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function POST(request: Request): Promise<Response> {
  const { simulator } = getWebRuntime();
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, seedSchema);
  if (!body.ok) return body.response;
  try {
    return json(await simulator.seed(body.data));
  } catch (error) {
    return serverError(request, 'Seeding failed', error);
  }
}

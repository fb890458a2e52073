// POST /api/simulator/seed { users, products }: inserts the reference users and products the
// simulator's events refer to (existing ids are kept). Admin only.
import { json, jsonError, parseJsonBody, requireAdmin } from '@/lib/web/http';
import { seedSchema } from '@/lib/web/schemas';
import { getWebRuntime } from '@/lib/web/web-runtime';

export async function POST(request: Request): Promise<Response> {
  const { config, simulator } = getWebRuntime();
  const denied = requireAdmin(request, config.ADMIN_TOKEN);
  if (denied) return denied;
  const body = await parseJsonBody(request, seedSchema);
  if (!body.ok) return body.response;
  try {
    return json(await simulator.seed(body.data));
  } catch (error) {
    return jsonError(
      502,
      `Seeding failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

// GET /api/checkouts?user&product&attributed&state&from&to&sort&limit&after|before: one keyset
// page of attributed checkouts (see lib/web/checkout-queries.ts). Read-only, open.
import { listCheckouts } from '@/lib/web/checkout-queries';
import { json, jsonError, parseQuery } from '@/lib/web/http';
import { checkoutQuerySchema } from '@/lib/web/schemas';
import { getWebRuntime } from '@/lib/web/web-runtime';

export async function GET(request: Request): Promise<Response> {
  const query = parseQuery(request, checkoutQuerySchema);
  if (!query.ok) return query.response;
  try {
    return json(await listCheckouts(getWebRuntime().pool, query.data));
  } catch (error) {
    return jsonError(
      502,
      `Cannot read checkouts: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

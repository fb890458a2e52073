// GET /api/checkouts?user&product&attributed&state&from&to&sort&limit&after|before: one keyset
// page of attributed checkouts (see lib/web/checkout-queries.ts). Read-only and open, but who
// bought (user id and name) only for the signed-in operator, who alone may filter by user.
import { listCheckouts } from '../../../lib/web/checkout-queries.ts';
import { json, jsonError, parseQuery, readerOf, serverError } from '../../../lib/web/http.ts';
import { checkoutPageFor } from '../../../lib/web/privacy.ts';
import { checkoutQuerySchema } from '../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  const query = parseQuery(request, checkoutQuerySchema);
  if (!query.ok) return query.response;
  if (query.data.user !== undefined && !reader.signedIn) {
    return jsonError(401, 'Sign in to look up a user’s checkouts.');
  }
  try {
    const page = await listCheckouts(getWebRuntime().prisma(), query.data);
    return json(checkoutPageFor(page, reader.signedIn));
  } catch (error) {
    return serverError(request, 'Cannot read checkouts', error);
  }
}

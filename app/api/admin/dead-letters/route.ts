// GET /api/admin/dead-letters?q&topic&limit&before: a page of the dead-letter store, newest first,
// searchable by reason or payload. Signed-in only: raw payloads carry the events' personal data
// (addresses, IP addresses), and reasons quote values. Counts by reason stay on the open pages.
import { listDeadLetters } from '../../../../lib/web/dead-letter-queries.ts';
import { json, jsonError, parseQuery, readerOf, serverError } from '../../../../lib/web/http.ts';
import { deadLetterQuerySchema } from '../../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  if (!reader.signedIn) {
    return jsonError(401, 'Sign in to read the dead letters: their payloads hold personal data.');
  }
  const query = parseQuery(request, deadLetterQuerySchema);
  if (!query.ok) return query.response;
  try {
    return json(await listDeadLetters(getWebRuntime().prisma(), query.data));
  } catch (error) {
    return serverError(request, 'Cannot read dead letters', error);
  }
}

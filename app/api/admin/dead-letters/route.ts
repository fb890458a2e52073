// GET /api/admin/dead-letters?q&topic&limit&before: a page of the dead-letter store, newest first,
// searchable by reason or payload. Read-only, open like the other read-only pages.
import { listDeadLetters } from '@/lib/web/dead-letter-queries';
import { json, jsonError, parseQuery } from '@/lib/web/http';
import { deadLetterQuerySchema } from '@/lib/web/schemas';
import { getWebRuntime } from '@/lib/web/web-runtime';

export async function GET(request: Request): Promise<Response> {
  const query = parseQuery(request, deadLetterQuerySchema);
  if (!query.ok) return query.response;
  try {
    return json(await listDeadLetters(getWebRuntime().pool, query.data));
  } catch (error) {
    return jsonError(
      502,
      `Cannot read dead letters: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

// GET /api/attribution?from=YYYY-MM-DD&to=YYYY-MM-DD: revenue by channel under each of the five
// attribution models over those checkout days, how much credit each model moves against first
// click, and when the models were last built (lib/web/attribution-queries.ts). Aggregates only:
// open to read. The query is checked first, so a bad one gets its 400 without a database trip.
import { attributionReport } from '../../../lib/web/attribution-queries.ts';
import { parseAttributionRange } from '../../../lib/web/attribution-report.ts';
import { json, jsonError, readerOf, serverError } from '../../../lib/web/http.ts';
import { searchParamsObject } from '../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  const range = parseAttributionRange(searchParamsObject(new URL(request.url).searchParams));
  if (!range.ok) return jsonError(400, range.error);
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  try {
    return json(await attributionReport(getWebRuntime().prisma(), range.range));
  } catch (error) {
    return serverError(request, 'Cannot read the attribution models', error);
  }
}

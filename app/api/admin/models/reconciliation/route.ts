// GET /api/admin/models/reconciliation: the latest layer reconciliation (agreement per day and
// the differing checkouts), as the newest model run that built it recorded it; null before any.
import { json, serverError } from '../../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  try {
    return json(await getWebRuntime().jobs.latestReconciliation());
  } catch (error) {
    return serverError(request, 'Cannot read the reconciliation', error);
  }
}

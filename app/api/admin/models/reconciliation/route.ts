// GET /api/admin/models/reconciliation: the latest layer reconciliation (agreement per day and
// the differing checkouts), as the newest model run that built it recorded it; null before any.
import { json, jsonError } from '@/lib/web/http';
import { getWebRuntime } from '@/lib/web/web-runtime';

export async function GET(): Promise<Response> {
  try {
    return json(await getWebRuntime().models.latestReconciliation());
  } catch (error) {
    return jsonError(
      502,
      `Cannot read the reconciliation: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

// GET /api/admin/models: the model runs for the admin page: whether one is going (with live
// progress per model and test) and the recent runs from commerce.job_runs. Read-only, open.
import { json, jsonError } from '@/lib/web/http';
import { getWebRuntime } from '@/lib/web/web-runtime';

export async function GET(): Promise<Response> {
  try {
    return json(await getWebRuntime().models.status());
  } catch (error) {
    return jsonError(
      502,
      `Cannot read the model runs: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

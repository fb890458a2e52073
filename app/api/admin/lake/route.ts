// GET /api/admin/lake: the lake export's state for the admin page: whether a run is going (with
// its live progress per topic) and the recent runs from commerce.job_runs. Read-only, open.
import { json, jsonError } from '@/lib/web/http';
import { getWebRuntime } from '@/lib/web/web-runtime';

export async function GET(): Promise<Response> {
  try {
    return json(await getWebRuntime().lake.status());
  } catch (error) {
    return jsonError(
      502,
      `Cannot read the lake export runs: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

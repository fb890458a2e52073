// GET /api/admin/lake: the lake export's state for the admin page: whether a run is going (with
// its live progress per topic) and the recent runs from commerce.job_runs. Read-only, open; a
// failed run's error text only for the signed-in operator.
import { json, readerOf, serverError } from '../../../../lib/web/http.ts';
import { jobRunsFor } from '../../../../lib/web/privacy.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  try {
    const status = await getWebRuntime().lake.status();
    return json({ ...status, runs: jobRunsFor(status.runs, reader.signedIn) });
  } catch (error) {
    return serverError(request, 'Cannot read the lake export runs', error);
  }
}

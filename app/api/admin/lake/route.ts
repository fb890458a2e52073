// GET /api/admin/lake: the lake export's state for the admin page: the run queued or running
// (with the live progress per topic its jobs worker writes to the row) and the recent runs from
// commerce.job_runs. Read-only, open; a failed run's error text and the worker that ran it only
// for the signed-in operator.
import { json, readerOf, serverError } from '../../../../lib/web/http.ts';
import { jobRunsFor } from '../../../../lib/web/privacy.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  try {
    const status = await getWebRuntime().jobs.status('lake_export');
    return json({
      ...status,
      current: status.current && jobRunsFor([status.current], reader.signedIn)[0],
      runs: jobRunsFor(status.runs, reader.signedIn),
    });
  } catch (error) {
    return serverError(request, 'Cannot read the lake export runs', error);
  }
}

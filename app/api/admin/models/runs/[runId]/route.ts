// GET /api/admin/models/runs/:runId: one model run with every node's status, time and failure
// message (from dbt's run_results.json). Read-only, open; failure messages (which can quote data)
// only for the signed-in operator.
import { jobRunIdSchema } from '../../../../../../lib/web/admin-job-schemas.ts';
import { json, jsonError, readerOf, serverError } from '../../../../../../lib/web/http.ts';
import { SIGN_IN_TO_SEE, jobRunsFor } from '../../../../../../lib/web/privacy.ts';
import { formatIssues } from '../../../../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../../../../lib/web/web-runtime.ts';

export async function GET(
  request: Request,
  { params }: { params: Promise<{ runId: string }> },
): Promise<Response> {
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  const id = jobRunIdSchema.safeParse((await params).runId);
  if (!id.success) return jsonError(400, `Bad run id: ${formatIssues(id.error)}`);
  try {
    const run = await getWebRuntime().jobs.modelsRun(id.data);
    if (!run) return jsonError(404, `No model run ${id.data}.`);
    if (reader.signedIn) return json(run);
    const [masked] = jobRunsFor([run], false);
    return json({
      ...masked,
      nodes: run.nodes.map((n) => ({ ...n, message: n.message === null ? null : SIGN_IN_TO_SEE })),
    });
  } catch (error) {
    return serverError(request, 'Cannot read the model run', error);
  }
}

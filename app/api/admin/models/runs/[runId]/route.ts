// GET /api/admin/models/runs/:runId: one model run with every node's status, time and failure
// message (from dbt's run_results.json). Read-only, open.
import { jobRunIdSchema } from '@/lib/web/admin-job-schemas';
import { json, jsonError } from '@/lib/web/http';
import { formatIssues } from '@/lib/web/schemas';
import { getWebRuntime } from '@/lib/web/web-runtime';

export async function GET(
  _request: Request,
  { params }: { params: Promise<{ runId: string }> },
): Promise<Response> {
  const id = jobRunIdSchema.safeParse((await params).runId);
  if (!id.success) return jsonError(400, `Bad run id: ${formatIssues(id.error)}`);
  const run = await getWebRuntime().models.run(id.data);
  if (!run) return jsonError(404, `No model run ${id.data}.`);
  return json(run);
}

// POST /api/admin/models/run: starts a models run (dbt build over the lake, reconciliation, docs)
// in the web process. Admin only. 202 with the job id; 409 when a run is already going; 409 too
// when there is no lake to model yet.
import { json, jsonError, parseJsonBody, requireAdmin } from '../../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../../lib/web/web-runtime.ts';
import { z } from 'zod';

export async function POST(request: Request): Promise<Response> {
  const { models } = getWebRuntime();
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, z.object({}).strict());
  if (!body.ok) return body.response;
  const outcome = await models.start();
  if (!outcome.started) {
    const conflict = /already in progress|no lake/i.test(outcome.message);
    return jsonError(conflict ? 409 : 500, outcome.message);
  }
  return json({ runId: outcome.runId }, { status: 202 });
}

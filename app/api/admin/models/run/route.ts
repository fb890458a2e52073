// POST /api/admin/models/run: queues a models run (dbt build over the lake, reconciliation, docs)
// for the jobs worker (the web never runs dbt). Admin only. 202 with the run id; 409 when a run is
// already queued or running, and when there is no lake to model yet.
import { json, jsonError, parseJsonBody, requireAdmin } from '../../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../../lib/web/web-runtime.ts';
import { z } from 'zod';

export async function POST(request: Request): Promise<Response> {
  const { jobs } = getWebRuntime();
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, z.object({}).strict());
  if (!body.ok) return body.response;
  const outcome = await jobs.enqueue('models');
  if (!outcome.started) return jsonError(outcome.conflict ? 409 : 500, outcome.message);
  return json({ runId: outcome.runId }, { status: 202 });
}

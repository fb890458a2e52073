// POST /api/admin/lake/run: queues a lake export for the jobs worker (the web never runs one).
// Admin only. 202 with the run id; 409 with the reason when an export is already queued or
// running (anywhere).
import { json, jsonError, parseJsonBody, requireAdmin } from '../../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../../lib/web/web-runtime.ts';
import { z } from 'zod';

export async function POST(request: Request): Promise<Response> {
  const { jobs } = getWebRuntime();
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, z.object({}).strict());
  if (!body.ok) return body.response;
  const outcome = await jobs.enqueue('lake_export');
  if (!outcome.started) return jsonError(outcome.conflict ? 409 : 500, outcome.message);
  return json({ runId: outcome.runId }, { status: 202 });
}

// POST /api/admin/lake/run: starts a lake export in the web process. Admin only. 202 with the
// run id once it has started; 409 with the reason when an export is already going (anywhere).
import { json, jsonError, parseJsonBody, requireAdmin } from '../../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../../lib/web/web-runtime.ts';
import { z } from 'zod';

export async function POST(request: Request): Promise<Response> {
  const { lake } = getWebRuntime();
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, z.object({}).strict());
  if (!body.ok) return body.response;
  const outcome = await lake.start();
  if (!outcome.started) {
    const running = /already running/.test(outcome.message);
    return jsonError(running ? 409 : 500, outcome.message);
  }
  return json({ runId: outcome.runId }, { status: 202 });
}

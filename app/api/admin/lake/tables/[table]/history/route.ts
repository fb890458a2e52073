// GET /api/admin/lake/tables/:table/history: the table's Delta history (version, time, operation,
// rows added), newest first. Read-only, open.
import { lakeTableSchema } from '../../../../../../../lib/web/admin-job-schemas.ts';
import { json, jsonError, serverError } from '../../../../../../../lib/web/http.ts';
import { formatIssues } from '../../../../../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../../../../../lib/web/web-runtime.ts';

export async function GET(
  request: Request,
  { params }: { params: Promise<{ table: string }> },
): Promise<Response> {
  const table = lakeTableSchema.safeParse((await params).table);
  if (!table.success) return jsonError(400, `Bad table: ${formatIssues(table.error)}`);
  try {
    return json(await getWebRuntime().lake.history(table.data));
  } catch (error) {
    return serverError(request, `Cannot read the history of ${table.data}`, error);
  }
}

// GET /api/admin/lake/tables/:table/versions/:version: the table as of that Delta version (time
// travel): its row count and live files, from the file statistics. Read-only, open.
import {
  deltaVersionSchema,
  lakeTableSchema,
} from '../../../../../../../../lib/web/admin-job-schemas.ts';
import { json, jsonError, serverError } from '../../../../../../../../lib/web/http.ts';
import { formatIssues } from '../../../../../../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../../../../../../lib/web/web-runtime.ts';

export async function GET(
  request: Request,
  { params }: { params: Promise<{ table: string; version: string }> },
): Promise<Response> {
  const raw = await params;
  const table = lakeTableSchema.safeParse(raw.table);
  if (!table.success) return jsonError(400, `Bad table: ${formatIssues(table.error)}`);
  const version = deltaVersionSchema.safeParse(raw.version);
  if (!version.success) return jsonError(400, `Bad version: ${formatIssues(version.error)}`);
  const { lake } = getWebRuntime();
  const history = await lake.history(table.data).catch(() => []);
  if (!history.some((h) => h.version === version.data)) {
    return jsonError(404, `Table ${table.data} has no version ${version.data}.`);
  }
  try {
    return json({ table: table.data, ...(await lake.rowCountAt(table.data, version.data)) });
  } catch (error) {
    return serverError(request, `Cannot read ${table.data} as of version ${version.data}`, error);
  }
}

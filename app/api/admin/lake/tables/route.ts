// GET /api/admin/lake/tables: every lake table's current Delta version, rows, files, bytes and
// partitions (from the Delta logs). Read-only, open. Locations are given relative to the lake:
// the server's directories are nobody's business.
import { json, serverError } from '../../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  try {
    const tables = await getWebRuntime().lake.tables();
    return json(tables.map((t) => ({ ...t, location: `${t.table}/` })));
  } catch (error) {
    return serverError(request, 'Cannot read the lake', error);
  }
}

// GET /api/admin/lake/tables: every lake table's current Delta version, rows, files, bytes and
// partitions (from the Delta logs). Read-only, open.
import { json, jsonError } from '@/lib/web/http';
import { getWebRuntime } from '@/lib/web/web-runtime';

export async function GET(): Promise<Response> {
  try {
    return json(await getWebRuntime().lake.tables());
  } catch (error) {
    return jsonError(
      502,
      `Cannot read the lake: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

// GET /api/admin/schemas: the schema registry's subjects (versions, registry ids, compatibility)
// and the messages per topic, encoding and writer schema that the workers have read. Read-only,
// open; the registry's address and its error text only for the signed-in operator. A registry
// that is down is part of the answer (registry.state 'down'), not a failed request.
import { json, readerOf, serverError } from '../../../../lib/web/http.ts';
import { readSchemaPanel, schemaPanelFor } from '../../../../lib/web/schema-panel.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  try {
    const { config, workerUrls } = getWebRuntime();
    const panel = await readSchemaPanel(config.SCHEMA_REGISTRY_URL, workerUrls);
    return json(schemaPanelFor(panel, reader.signedIn));
  } catch (error) {
    return serverError(request, 'Cannot read the schemas', error);
  }
}

// GET /dbt-docs: the dbt docs site (`dbt docs generate`, written by every models run) so users can
// browse the models and their lineage. /dbt-docs is the self-contained page (manifest and catalog
// inlined); /dbt-docs/index.html, manifest.json and catalog.json are the files themselves. Only
// these names are served: nothing else under dbt/target leaves the server.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { getWebRuntime } from '../../../lib/web/web-runtime.ts';

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'static_index.html': 'text/html; charset=utf-8',
  'manifest.json': 'application/json',
  'catalog.json': 'application/json',
};

const notGenerated = `<!doctype html><meta charset="utf-8"><title>dbt docs · Clickstream</title>
<body style="font-family:system-ui;margin:3rem"><h1>dbt docs are not generated yet</h1>
<p>Run the models once (the admin page's <a href="/admin#models">Run models</a>, or <code>npm run models</code>):
every run writes the docs site.</p></body>`;

export async function GET(
  _request: Request,
  { params }: { params: Promise<{ file?: string[] }> },
): Promise<Response> {
  const parts = (await params).file ?? [];
  const dir = getWebRuntime().jobs.docsDir;
  const candidates =
    parts.length === 0
      ? ['static_index.html', 'index.html']
      : parts.length === 1 && parts[0]! in FILES
        ? [parts[0]!]
        : [];
  if (candidates.length === 0) return new Response('Not found', { status: 404 });
  for (const name of candidates) {
    try {
      const body = await readFile(path.join(dir, name));
      return new Response(body, {
        headers: { 'content-type': FILES[name]!, 'cache-control': 'no-cache' },
      });
    } catch {
      // not generated (yet): try the next name
    }
  }
  return new Response(parts.length === 0 ? notGenerated : 'Not found', {
    status: 404,
    headers: { 'content-type': parts.length === 0 ? 'text/html; charset=utf-8' : 'text/plain' },
  });
}

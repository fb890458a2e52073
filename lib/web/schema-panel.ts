// The admin page's schema panel, assembled: the registry's subjects, versions and compatibility
// (schema-registry-reader.ts) and the messages per writer schema the workers have read
// (schema-message-counts.ts over each worker's /metrics, scraped as the pipeline poller does).
// The two halves fail apart: a registry that is down still leaves the counts, by raw schema id.
import { schemaMessageCounts, type SchemaMessageCount } from './schema-message-counts.ts';
import {
  readRegistryOverview,
  schemaIdIndex,
  type RegistryOverview,
} from './schema-registry-reader.ts';
import { scrapeWorker } from './worker-endpoints.ts';

export interface SchemaPanel {
  registry: RegistryOverview;
  counts: SchemaMessageCount[];
  workers: { up: number; total: number };
}

export async function readSchemaPanel(
  registryUrl: string | undefined,
  workerUrls: readonly string[],
): Promise<SchemaPanel> {
  const [registry, scrapes] = await Promise.all([
    readRegistryOverview(registryUrl),
    Promise.all(workerUrls.map((url) => scrapeWorker(url))),
  ]);
  const up = scrapes.filter((s) => s.up);
  const ids = registry.state === 'up' ? schemaIdIndex(registry.subjects) : new Map();
  return {
    registry,
    counts: schemaMessageCounts(
      up.map((s) => s.samples),
      ids,
    ),
    workers: { up: up.length, total: scrapes.length },
  };
}

/** What an anonymous reader sees: no registry address, no error text naming hosts. */
export function schemaPanelFor(panel: SchemaPanel, signedIn: boolean): SchemaPanel {
  if (signedIn || panel.registry.state === 'not_configured') return panel;
  if (panel.registry.state === 'down')
    return {
      ...panel,
      registry: { state: 'down', url: '', error: 'the registry does not answer' },
    };
  return { ...panel, registry: { ...panel.registry, url: '' } };
}

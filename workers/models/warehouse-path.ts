// Where a models run keeps its DuckDB warehouse for a lake.
import path from 'node:path';

const isUrl = (uri: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(uri);

/**
 * The DuckDB warehouse beside a local lake (`<lake>/../warehouse/clickstream.duckdb`: for the
 * default ./data/lake that is the CLI's data/warehouse/clickstream.duckdb), so a second lake
 * (the browser tests') never writes into the first one's incremental models.
 */
export function warehousePathFor(lakeUri: string, baseDir: string): string {
  if (isUrl(lakeUri)) return path.join(baseDir, 'data', 'warehouse', 'clickstream.duckdb');
  return path.join(path.dirname(path.resolve(baseDir, lakeUri)), 'warehouse', 'clickstream.duckdb');
}

// `npm run lake:ddl`: prints the Redshift Spectrum DDL for the lake's Delta tables (external
// tables over the symlink manifests, one ADD PARTITION per partition), read from each table's
// current Delta log. `--schema name` (default clickstream_lake), `--partitions-only`.
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config.ts';
import { parseSchemaString } from '../lib/delta/delta-schema.ts';
import { lakeTable } from '../lib/lake/lake-tables.ts';
import { spectrumDdl, type SpectrumTable } from '../lib/lake/redshift-ddl.ts';
import { lakeSummary } from '../lib/lake/table-history.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      schema: { type: 'string', default: 'clickstream_lake' },
      'partitions-only': { type: 'boolean', default: false },
    },
  });
  const config = loadConfig();
  const summary = await lakeSummary(config.LAKE_URI);
  const tables: SpectrumTable[] = summary.map((t) => ({
    name: t.table,
    // A table not exported yet is declared from the contract, so the DDL is complete from day one.
    schema: t.schemaString ? parseSchemaString(t.schemaString) : lakeTable(t.table).schema,
    partitionColumns: t.partitionColumns,
    location: t.location,
    partitions: t.partitions,
  }));
  if (!/^s3:\/\//.test(summary[0]?.location ?? '')) {
    console.log(
      `-- Note: LAKE_URI (${config.LAKE_URI}) is not on S3; Redshift Spectrum reads s3:// locations only.`,
    );
  }
  process.stdout.write(
    spectrumDdl(values.schema!, tables, { partitionsOnly: values['partitions-only'] }),
  );
}

main().catch((error: unknown) => {
  console.error(`[lake-ddl] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

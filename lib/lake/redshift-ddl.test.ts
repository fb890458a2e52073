import { describe, expect, it } from 'vitest';
import { checkoutsTable, usersTable } from './lake-tables.ts';
import { redshiftType, spectrumDdl } from './redshift-ddl.ts';

describe('Redshift Spectrum DDL', () => {
  const ddl = spectrumDdl('lake', [
    {
      name: 'checkouts',
      schema: checkoutsTable.schema,
      partitionColumns: ['event_date'],
      location: 's3://b/lake/checkouts',
      partitions: [{ event_date: '2024-01-01' }, { event_date: '2024-01-02' }],
    },
    {
      name: 'users',
      schema: usersTable.schema,
      partitionColumns: [],
      location: 's3://b/lake/users',
      partitions: [],
    },
  ]);

  it('declares data columns in file order and the partition column apart', () => {
    expect(ddl).toContain(
      'CREATE EXTERNAL TABLE "lake"."checkouts" (\n  "checkout_id" VARCHAR(65535),',
    );
    expect(ddl).toContain('"total_amount" DECIMAL(38,2)');
    expect(ddl).toContain('PARTITIONED BY ("event_date" DATE)');
    expect(ddl).not.toMatch(/\n {2}"event_date"/);
  });

  it('reads the symlink manifests, with one partition per date', () => {
    expect(ddl).toContain(
      "STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'",
    );
    expect(ddl).toContain("LOCATION 's3://b/lake/checkouts/_symlink_format_manifest/';");
    expect(ddl).toContain(
      `ALTER TABLE "lake"."checkouts" ADD IF NOT EXISTS PARTITION ("event_date"='2024-01-02') LOCATION 's3://b/lake/checkouts/_symlink_format_manifest/event_date=2024-01-02/';`,
    );
    expect(ddl).toContain("LOCATION 's3://b/lake/users/_symlink_format_manifest/';");
  });

  it('prints only partitions when asked', () => {
    const only = spectrumDdl(
      'lake',
      [
        {
          name: 'checkouts',
          schema: checkoutsTable.schema,
          partitionColumns: ['event_date'],
          location: 's3://b/c',
          partitions: [{ event_date: '2024-01-01' }],
        },
      ],
      { partitionsOnly: true },
    );
    expect(only).not.toContain('CREATE');
    expect(only).toContain('ADD IF NOT EXISTS PARTITION');
  });

  it.each([
    ['timestamp', 'TIMESTAMP'],
    ['binary', 'VARBYTE(65535)'],
    ['boolean', 'BOOLEAN'],
    ['integer', 'INTEGER'],
  ] as const)('maps %s to %s', (delta, redshift) => expect(redshiftType(delta)).toBe(redshift));
});

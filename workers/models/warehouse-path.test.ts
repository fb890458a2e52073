import { describe, expect, it } from 'vitest';
import { warehousePathFor } from './warehouse-path.ts';

describe('warehousePathFor', () => {
  it('puts the warehouse beside a local lake: the default lake gets the CLI default', () => {
    expect(warehousePathFor('./data/lake', '/repo')).toBe(
      '/repo/data/warehouse/clickstream.duckdb',
    );
    expect(warehousePathFor('data/e2e/lake', '/repo')).toBe(
      '/repo/data/e2e/warehouse/clickstream.duckdb',
    );
    expect(warehousePathFor('/mnt/lake/', '/repo')).toBe('/mnt/warehouse/clickstream.duckdb');
  });

  it('keeps the default warehouse for an object-store lake', () => {
    expect(warehousePathFor('s3://bucket/lake', '/repo')).toBe(
      '/repo/data/warehouse/clickstream.duckdb',
    );
  });
});

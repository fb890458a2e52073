import { describe, expect, it } from 'vitest';
import {
  dataFileName,
  escapePartitionValue,
  filesByPartition,
  manifestKey,
  manifestText,
  partitionDirectory,
} from './table-layout.ts';

describe('table layout', () => {
  it('names partition directories Hive-style, escaping as Spark does', () => {
    expect(partitionDirectory(['event_date'], { event_date: '2024-01-01' })).toBe(
      'event_date=2024-01-01',
    );
    expect(partitionDirectory(['a', 'b'], { a: 'x/y:z', b: null })).toBe(
      'a=x%2Fy%3Az/b=__HIVE_DEFAULT_PARTITION__',
    );
    expect(partitionDirectory([], {})).toBe('');
    expect(escapePartitionValue('100%')).toBe('100%25');
    expect(() => partitionDirectory(['a'], {})).toThrow(/missing/);
  });

  it('names data files like Spark', () => {
    expect(dataFileName(3, 'u-u-i-d', 'zstd')).toBe('part-00003-u-u-i-d.c000.zstd.parquet');
  });

  it('puts one manifest per partition, or one for an unpartitioned table', () => {
    expect(manifestKey('event_date=2024-01-01')).toBe(
      '_symlink_format_manifest/event_date=2024-01-01/manifest',
    );
    expect(manifestKey('')).toBe('_symlink_format_manifest/manifest');
    expect(manifestText(['s3://b/t/2.parquet', 's3://b/t/1.parquet'])).toBe(
      's3://b/t/1.parquet\ns3://b/t/2.parquet\n',
    );
    expect(manifestText([])).toBe('');
  });

  it('groups files by partition', () => {
    const files = [
      { path: 'a', partitionValues: { d: '1' } },
      { path: 'b', partitionValues: { d: '2' } },
      { path: 'c', partitionValues: { d: '1' } },
    ];
    const groups = filesByPartition(['d'], files);
    expect([...groups.keys()]).toEqual(['d=1', 'd=2']);
    expect(groups.get('d=1')!.map((f) => f.path)).toEqual(['a', 'c']);
  });
});

import { describe, expect, it } from 'vitest';
import {
  checkCommitIsValid,
  checkpointFileName,
  classifyLogFile,
  commitFileName,
  decodeCommit,
  decodeDataPath,
  encodeCommit,
  encodeDataPath,
  formatVersion,
  type Action,
} from './delta-log.ts';

const add = (path: string): Action => ({
  add: {
    path,
    partitionValues: { d: '2024-01-01' },
    size: 10,
    modificationTime: 1,
    dataChange: true,
    stats: '{"numRecords":1}',
  },
});

describe('log file names', () => {
  it('pads versions to 20 digits', () => {
    expect(commitFileName(0)).toBe('00000000000000000000.json');
    expect(checkpointFileName(10)).toBe('00000000000000000010.checkpoint.parquet');
    expect(formatVersion(12345678901234)).toBe('00000012345678901234');
    expect(() => formatVersion(-1)).toThrow();
  });

  it.each([
    ['00000000000000000007.json', { kind: 'commit', version: 7 }],
    ['00000000000000000010.checkpoint.parquet', { kind: 'checkpoint', version: 10 }],
    ['00000000000000000010.checkpoint.0000000001.0000000002.parquet', { kind: 'other' }],
    ['_last_checkpoint', { kind: 'other' }],
    ['.00000000000000000001.json.abc.tmp', { kind: 'other' }],
    ['00000000000000000001.crc', { kind: 'other' }],
  ])('classifies %s', (name, expected) => expect(classifyLogFile(name)).toEqual(expected));
});

describe('commit encoding', () => {
  it('writes one action per line and reads them back', () => {
    const actions: Action[] = [
      { commitInfo: { timestamp: 5, operation: 'WRITE' } },
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      add('d=2024-01-01/a.parquet'),
      { txn: { appId: 'app', version: 42, lastUpdated: 5 } },
    ];
    const text = encodeCommit(actions);
    expect(text.split('\n')).toHaveLength(5);
    expect(text.endsWith('\n')).toBe(true);
    expect(decodeCommit(text)).toEqual(actions);
  });

  it('keeps unknown action kinds instead of failing', () => {
    const text = '{"cdc":{"path":"x"}}\n{"domainMetadata":{"domain":"d"}}\n';
    expect(decodeCommit(text)).toEqual([
      { unknown: 'cdc', value: { path: 'x' } },
      { unknown: 'domainMetadata', value: { domain: 'd' } },
    ]);
  });

  it('reports the line of a corrupt entry', () => {
    expect(() => decodeCommit('{"add":{}}\n{oops', 'v3')).toThrow(/v3 line 2 is not JSON/);
    expect(() => decodeCommit('{"add":{},"remove":{}}')).toThrow(/exactly one action key/);
  });

  it.each<[string, Action[]]>([
    [
      'two protocols',
      [
        { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
        { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      ],
    ],
    [
      'two txns for one appId',
      [{ txn: { appId: 'a', version: 1 } }, { txn: { appId: 'a', version: 2 } }],
    ],
    ['one path added twice', [add('x'), add('x')]],
  ])('refuses a commit with %s', (_name, actions) => {
    expect(() => checkCommitIsValid(actions)).toThrow();
  });
});

describe('data paths', () => {
  it('percent-encodes segments but keeps Hive partition directories readable', () => {
    expect(encodeDataPath('event_date=2024-01-01/part-0.parquet')).toBe(
      'event_date=2024-01-01/part-0.parquet',
    );
    expect(encodeDataPath('p=a b%/f.parquet')).toBe('p=a%20b%25/f.parquet');
    expect(decodeDataPath(encodeDataPath('p=a b%/f.parquet'))).toBe('p=a b%/f.parquet');
  });
});

import { describe, expect, it } from 'vitest';
import type { Action } from './delta-log.ts';
import {
  applyCommit,
  assertReadable,
  assertWritable,
  emptySnapshot,
  liveTombstones,
  snapshotRowCount,
  UnsupportedProtocolError,
} from './delta-snapshot.ts';

const add = (path: string, rows: number): Action => ({
  add: {
    path,
    partitionValues: {},
    size: 1,
    modificationTime: 1,
    dataChange: true,
    stats: JSON.stringify({ numRecords: rows }),
  },
});
const remove = (path: string, at: number): Action => ({
  remove: { path, deletionTimestamp: at, dataChange: true },
});
const meta: Action = {
  metaData: {
    id: 'x',
    format: { provider: 'parquet', options: {} },
    schemaString: '{"type":"struct","fields":[]}',
    partitionColumns: [],
    configuration: {},
  },
};

describe('action reconciliation', () => {
  it('keeps the newest add or remove per path and the latest txn per appId', () => {
    const s = emptySnapshot();
    applyCommit(s, 0, [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      meta,
      add('a', 3),
      add('b', 4),
      { txn: { appId: 't', version: 10 } },
    ]);
    applyCommit(s, 1, [remove('a', 100), add('c', 5), { txn: { appId: 't', version: 20 } }]);
    expect(s.version).toBe(1);
    expect([...s.files.keys()]).toEqual(['b', 'c']);
    expect([...s.tombstones.keys()]).toEqual(['a']);
    expect(s.txns.get('t')?.version).toBe(20);
    expect(snapshotRowCount(s)).toBe(9);
    applyCommit(s, 2, [add('a', 1)]);
    expect(s.tombstones.has('a')).toBe(false);
    expect(snapshotRowCount(s)).toBe(10);
  });

  it('refuses a gap in the versions (a missing commit file)', () => {
    const s = emptySnapshot();
    applyCommit(s, 0, [meta]);
    expect(() => applyCommit(s, 2, [])).toThrow(/not contiguous/);
  });

  it('keeps the commitInfo of the snapshot version only', () => {
    const s = emptySnapshot();
    applyCommit(s, 0, [{ commitInfo: { timestamp: 1, operation: 'WRITE' } }, meta]);
    expect(s.commitInfo?.operation).toBe('WRITE');
    applyCommit(s, 1, [add('a', 1)]);
    expect(s.commitInfo).toBeUndefined();
  });

  it('drops expired tombstones', () => {
    const s = emptySnapshot();
    applyCommit(s, 0, [meta, remove('old', 1_000), remove('new', 9_000)]);
    expect(liveTombstones(s, 10_000, 5_000).map((r) => r.path)).toEqual(['new']);
  });

  it('row count is unknown when a file has no stats', () => {
    const s = emptySnapshot();
    applyCommit(s, 0, [
      meta,
      { add: { path: 'x', partitionValues: {}, size: 1, modificationTime: 1, dataChange: true } },
    ]);
    expect(snapshotRowCount(s)).toBeUndefined();
  });

  it('refuses to write a table that needs newer protocol features', () => {
    const s = emptySnapshot();
    applyCommit(s, 0, [
      {
        protocol: {
          minReaderVersion: 3,
          minWriterVersion: 7,
          readerFeatures: ['deletionVectors'],
          writerFeatures: ['deletionVectors'],
        },
      },
      meta,
    ]);
    expect(() => assertWritable(s, 'clicks')).toThrow(
      /reader version 3 \/ writer version 7 \(features: deletionVectors/,
    );
    expect(() => assertReadable(s, 'clicks')).toThrow(UnsupportedProtocolError);
  });

  it.each([
    [{ minReaderVersion: 2, minWriterVersion: 5 }, false, false], // column mapping
    [{ minReaderVersion: 1, minWriterVersion: 4 }, true, false], // e.g. generated columns
    [{ minReaderVersion: 1, minWriterVersion: 2 }, true, true],
  ])('reads and writes protocol %j: read %s, write %s', (protocol, readable, writable) => {
    const s = emptySnapshot();
    applyCommit(s, 0, [{ protocol }, meta]);
    const can = (check: () => void) => {
      try {
        check();
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(UnsupportedProtocolError);
        return false;
      }
    };
    expect(can(() => assertReadable(s, 't'))).toBe(readable);
    expect(can(() => assertWritable(s, 't'))).toBe(writable);
  });
});

import { describe, expect, it } from 'vitest';
import type { Action } from './delta-log.ts';
import { applyCommit, emptySnapshot } from './delta-snapshot.ts';
import {
  TOMBSTONE_RETENTION_MS,
  checkpointActions,
  decodeCheckpoint,
  encodeCheckpoint,
} from './checkpoint.ts';

const now = Date.UTC(2024, 5, 1);
const commit: Action[] = [
  { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
  {
    metaData: {
      id: 'id-1',
      name: 'clicks',
      description: 'd',
      format: { provider: 'parquet', options: {} },
      schemaString: '{"type":"struct","fields":[]}',
      partitionColumns: ['event_date'],
      createdTime: 123,
      configuration: { 'delta.checkpointInterval': '10' },
    },
  },
  {
    add: {
      path: 'event_date=2024-01-01/a.parquet',
      partitionValues: { event_date: '2024-01-01' },
      size: 10,
      modificationTime: 5,
      dataChange: true,
      stats: '{"numRecords":3}',
    },
  },
  {
    add: {
      path: 'event_date=2024-01-02/b.parquet',
      partitionValues: { event_date: '2024-01-02' },
      size: 20,
      modificationTime: 6,
      dataChange: true,
      stats: '{"numRecords":4}',
    },
  },
  { txn: { appId: 'clickstream-lake-export:clicks:0', version: 7, lastUpdated: 9 } },
];

describe('checkpoints', () => {
  it('hold the reconciled snapshot and decode to the same state', () => {
    const s = applyCommit(emptySnapshot(), 0, commit);
    applyCommit(s, 1, [
      {
        remove: {
          path: 'event_date=2024-01-02/b.parquet',
          deletionTimestamp: now - 1000,
          dataChange: true,
        },
      },
      {
        remove: {
          path: 'expired.parquet',
          deletionTimestamp: now - TOMBSTONE_RETENTION_MS - 1,
          dataChange: true,
        },
      },
    ]);
    const actions = checkpointActions(s, now);
    expect(actions.map((a) => Object.keys(a)[0])).toEqual([
      'protocol',
      'metaData',
      'txn',
      'add',
      'remove',
    ]);
    const decoded = decodeCheckpoint(encodeCheckpoint(actions));
    const replayed = emptySnapshot();
    applyCommit(replayed, 0, decoded);
    expect(replayed.protocol).toEqual(s.protocol);
    expect(replayed.metadata).toEqual(s.metadata);
    expect(replayed.files).toEqual(s.files);
    expect(replayed.txns).toEqual(s.txns);
    expect([...replayed.tombstones.keys()]).toEqual(['event_date=2024-01-02/b.parquet']);
  });
});

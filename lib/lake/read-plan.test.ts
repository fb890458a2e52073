import { describe, expect, it } from 'vitest';
import { offsetAppId } from './lake-tables.ts';
import {
  OffsetsAheadOfTopicError,
  planReads,
  txnVersionsAfterRun,
  type TableProgress,
} from './read-plan.ts';

const topics = [
  {
    topic: 'clicks',
    partitions: [
      { partition: 1, low: 0, high: 50 },
      { partition: 0, low: 0, high: 100 },
    ],
  },
  { topic: 'checkouts', partitions: [{ partition: 0, low: 10, high: 20 }] },
];
const table = (
  name: string,
  sources: string[],
  txns: [string, number, number][] = [],
): TableProgress => ({
  table: name,
  topics: sources,
  txnVersions: new Map(txns.map(([t, p, v]) => [offsetAppId(t, p), v])),
});

describe('planReads', () => {
  it('reads everything retained on a first run, up to the end fixed now', () => {
    const plan = planReads(topics, [
      table('clicks', ['clicks']),
      table('checkouts', ['checkouts']),
    ]);
    expect(plan.reads).toEqual([
      { topic: 'clicks', partition: 0, from: 0, to: 100, tableStarts: { clicks: 0 } },
      { topic: 'clicks', partition: 1, from: 0, to: 50, tableStarts: { clicks: 0 } },
      { topic: 'checkouts', partition: 0, from: 10, to: 20, tableStarts: { checkouts: 10 } },
    ]);
    expect(plan.toRead).toEqual({ clicks: 150, checkouts: 10 });
  });

  it('starts each partition at the smallest stored offset of the tables it feeds', () => {
    const plan = planReads(topics, [
      table(
        'clicks',
        ['clicks'],
        [
          ['clicks', 0, 80],
          ['clicks', 1, 50],
        ],
      ),
      table(
        'dead_letters',
        ['clicks', 'checkouts'],
        [
          ['clicks', 0, 60],
          ['clicks', 1, 50],
          ['checkouts', 0, 20],
        ],
      ),
    ]);
    expect(plan.reads[0]).toEqual({
      topic: 'clicks',
      partition: 0,
      from: 60,
      to: 100,
      tableStarts: { clicks: 80, dead_letters: 60 },
    });
    expect(plan.toRead).toEqual({ clicks: 40, checkouts: 0 });
  });

  it('warns when retention deleted offsets that were never exported', () => {
    const plan = planReads(topics, [table('checkouts', ['checkouts'], [['checkouts', 0, 4]])]);
    expect(plan.reads[2]!.from).toBe(10);
    expect(plan.warnings[0]).toMatch(/offsets 4\.\.9 were deleted by Kafka retention/);
  });

  it('refuses a table that is ahead of its topic (topic recreated)', () => {
    expect(() =>
      planReads(topics, [table('checkouts', ['checkouts'], [['checkouts', 0, 25]])]),
    ).toThrow(OffsetsAheadOfTopicError);
  });
});

describe('txnVersionsAfterRun', () => {
  it('moves every partition read to its end, and records where an empty first run stands', () => {
    const clicks = table('clicks', ['clicks'], [['clicks', 1, 50]]);
    const plan = planReads(topics, [clicks]);
    expect(txnVersionsAfterRun(plan, clicks)).toEqual(new Map([[offsetAppId('clicks', 0), 100]]));
    const fresh = table('checkouts', ['checkouts']);
    const empty = planReads(
      [{ topic: 'checkouts', partitions: [{ partition: 0, low: 0, high: 0 }] }],
      [fresh],
    );
    expect(txnVersionsAfterRun(empty, fresh)).toEqual(new Map([[offsetAppId('checkouts', 0), 0]]));
  });
});

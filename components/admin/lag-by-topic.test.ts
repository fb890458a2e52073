import { describe, expect, it } from 'vitest';
import { lagByTopic } from './lag-by-topic.ts';

describe('lagByTopic', () => {
  it('groups partitions under their topic, topics by name, partitions in order, with totals', () => {
    expect(
      lagByTopic([
        { topic: 'clicks', partition: 1, lag: 5 },
        { topic: 'checkouts', partition: 0, lag: 0 },
        { topic: 'clicks', partition: 0, lag: 7 },
        { topic: 'clicks', partition: 10, lag: 1 },
      ]),
    ).toEqual([
      { topic: 'checkouts', total: 0, partitions: [{ partition: '0', lag: 0 }] },
      {
        topic: 'clicks',
        total: 13,
        partitions: [
          { partition: '0', lag: 7 },
          { partition: '1', lag: 5 },
          { partition: '10', lag: 1 },
        ],
      },
    ]);
  });

  it('is empty without lag rows', () => {
    expect(lagByTopic([])).toEqual([]);
  });
});

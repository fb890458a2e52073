import { describe, expect, it } from 'vitest';
import { toLayerDifferences, toReconciliationDays } from './reconciliation.ts';

describe('toReconciliationDays', () => {
  it('types the rows dbt show returns', () => {
    expect(
      toReconciliationDays([
        {
          checkout_date: '2024-03-02',
          batch_checkouts: 10,
          speed_checkouts: '9',
          all_checkouts: 10,
          agreeing_checkouts: 8,
          differing_checkouts: 2,
          missing_in_speed: 1,
          missing_in_batch: 0,
          other_click: 0,
          late_data: 1,
          agreement_pct: 80.0,
        },
      ]),
    ).toEqual([
      {
        checkoutDate: '2024-03-02',
        batchCheckouts: 10,
        speedCheckouts: 9,
        allCheckouts: 10,
        agreeingCheckouts: 8,
        differingCheckouts: 2,
        missingInSpeed: 1,
        missingInBatch: 0,
        otherClick: 0,
        lateData: 1,
        agreementPct: 80,
      },
    ]);
  });

  it('cuts a timestamp rendering of the date to the day', () => {
    expect(toReconciliationDays([{ checkout_date: '2024-03-02T00:00:00' }])[0]!.checkoutDate).toBe(
      '2024-03-02',
    );
  });
});

describe('toLayerDifferences', () => {
  const row = (id: string, reason: string) => ({
    checkout_id: id,
    checkout_date: '2024-03-02',
    reason,
    batch_click_id: 'k1',
    batch_click_time: '2024-03-02 10:00:00',
    speed_click_id: null,
    speed_click_time: null,
    is_speed_final: true,
    is_speed_late: false,
  });

  it('keeps at most `limit` rows and says when there were more', () => {
    const rows = [row('a', 'other_click'), row('b', 'late_data'), row('c', 'missing_in_speed')];
    expect(toLayerDifferences(rows, 2)).toMatchObject({
      differences: [
        {
          checkoutId: 'a',
          reason: 'other_click',
          batchClickId: 'k1',
          speedClickId: null,
          isSpeedFinal: true,
        },
        { checkoutId: 'b', reason: 'late_data' },
      ],
      differencesTruncated: true,
    });
    expect(toLayerDifferences(rows, 3).differencesTruncated).toBe(false);
  });
});

// The latest layer reconciliation as the admin page shows it: agreement per day and the checkouts
// on which the layers differ, read back from the marts with `dbt show` (so the same code serves
// DuckDB and Redshift). Pure: queries to send, and the rows dbt returns turned into typed values.
import type {
  DifferenceReason,
  LayerDifference,
  Reconciliation,
  ReconciliationDay,
} from '../../lib/jobs/models-contract.ts';

export type { DifferenceReason, LayerDifference, Reconciliation, ReconciliationDay };

/** Rows of rpt_layer_reconciliation, oldest day first (at most ~3 years of days). */
export const reconciliationDaysQuery =
  "select * from {{ ref('rpt_layer_reconciliation') }} order by checkout_date";

/** The newest differing checkouts first (dbt show adds the limit: ask one row more than kept). */
export const layerDifferencesQuery =
  "select * from {{ ref('rpt_layer_differences') }} order by checkout_date desc, checkout_id";

type Row = Record<string, unknown>;
const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

const count = (v: unknown): number => {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
};
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const flag = (v: unknown): boolean | null =>
  v === null || v === undefined ? null : v === true || v === 'true';
/** Dates come back as `YYYY-MM-DD` text, or a timestamp text on some adapters. */
const day = (v: unknown): string => String(v ?? '').slice(0, 10);

export function toReconciliationDays(rows: readonly unknown[]): ReconciliationDay[] {
  return rows.filter(isRow).map((r) => ({
    checkoutDate: day(r.checkout_date),
    batchCheckouts: count(r.batch_checkouts),
    speedCheckouts: count(r.speed_checkouts),
    allCheckouts: count(r.all_checkouts),
    agreeingCheckouts: count(r.agreeing_checkouts),
    differingCheckouts: count(r.differing_checkouts),
    missingInSpeed: count(r.missing_in_speed),
    missingInBatch: count(r.missing_in_batch),
    otherClick: count(r.other_click),
    lateData: count(r.late_data),
    agreementPct: count(r.agreement_pct),
  }));
}

const REASONS: readonly DifferenceReason[] = [
  'missing_in_speed',
  'missing_in_batch',
  'other_click',
  'late_data',
];

export function toLayerDifferences(
  rows: readonly unknown[],
  limit: number,
): Pick<Reconciliation, 'differences' | 'differencesTruncated'> {
  const differences = rows.filter(isRow).map((r) => ({
    checkoutId: String(r.checkout_id ?? ''),
    checkoutDate: day(r.checkout_date),
    reason: REASONS.find((x) => x === r.reason) ?? 'other_click',
    batchClickId: text(r.batch_click_id),
    batchClickTime: text(r.batch_click_time),
    speedClickId: text(r.speed_click_id),
    speedClickTime: text(r.speed_click_time),
    isSpeedFinal: flag(r.is_speed_final),
    isSpeedLate: flag(r.is_speed_late),
  }));
  return {
    differences: differences.slice(0, limit),
    differencesTruncated: differences.length > limit,
  };
}

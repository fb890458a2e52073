// What a models run reports (workers/models/run-models.ts): live progress per dbt node, written
// to the run's job_runs row about once a second, its result with every node's timing, and the
// layer reconciliation it reads back. The admin page reads all three.

export type DbtResourceType =
  'model' | 'test' | 'unit_test' | 'seed' | 'snapshot' | 'source' | 'other';

/** A node's state as the run goes: `running`, then one of the dbt outcomes. */
export type DbtNodeStatus = 'running' | 'success' | 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

export interface DbtNodeRef {
  uniqueId: string;
  name: string;
  resourceType: DbtResourceType;
}

export interface DbtNodeProgress extends DbtNodeRef {
  status: DbtNodeStatus;
  /** Execution time reported by dbt, seconds. */
  seconds: number | null;
  /** Failing rows of a test (dbt's `failures`). */
  failures: number | null;
  /** dbt's error or failure message. */
  message: string | null;
}

export interface StatusCounts {
  success: number;
  pass: number;
  warn: number;
  fail: number;
  error: number;
  skipped: number;
}

export interface ModelsProgress {
  /** Nodes dbt will execute (known from its first START line), or null before. */
  total: number | null;
  /** Nodes finished or skipped. */
  done: number;
  counts: StatusCounts;
  /** In the order dbt started or skipped them. */
  nodes: DbtNodeProgress[];
  /** Errors not tied to one node (parsing, connection, a crash). */
  errors: string[];
}

export type ModelsPhase = 'build' | 'reconciliation' | 'publish' | 'docs' | 'done';

export interface ModelsRunProgress extends ModelsProgress {
  phase: ModelsPhase;
  /** Rows published so far, during and after the 'publish' phase. */
  publish?: PublishProgress;
}

/** Progress before dbt starts: the jobs worker checks the Python tools (.venv). */
export type ModelsJobProgress = ModelsRunProgress | { phase: 'python' };

export interface NodeResult {
  uniqueId: string;
  name: string;
  resourceType: DbtResourceType;
  status: Exclude<DbtNodeStatus, 'running'>;
  seconds: number;
  failures: number | null;
  message: string | null;
}

export interface ReconciliationDay {
  checkoutDate: string;
  batchCheckouts: number;
  speedCheckouts: number;
  allCheckouts: number;
  agreeingCheckouts: number;
  differingCheckouts: number;
  missingInSpeed: number;
  missingInBatch: number;
  otherClick: number;
  lateData: number;
  agreementPct: number;
}

export type DifferenceReason =
  'missing_in_speed' | 'missing_in_batch' | 'other_click' | 'late_data';

export interface LayerDifference {
  checkoutId: string;
  checkoutDate: string;
  reason: DifferenceReason;
  batchClickId: string | null;
  batchClickTime: string | null;
  speedClickId: string | null;
  speedClickTime: string | null;
  isSpeedFinal: boolean | null;
  isSpeedLate: boolean | null;
}

export interface Reconciliation {
  days: ReconciliationDay[];
  differences: LayerDifference[];
  /** More differences exist than `differences` holds (they are capped). */
  differencesTruncated: boolean;
}

export type DbtTarget = 'local' | 'redshift';

export interface ModelsRunResult {
  jobId: string | null;
  ok: boolean;
  target: DbtTarget;
  fullRefresh: boolean;
  startedAt: string;
  /** Wall time of the whole job, and of `dbt build` alone. */
  seconds: number;
  buildSeconds: number;
  dbtVersion: string | null;
  counts: StatusCounts;
  /** Every node dbt ran, with its time, from run_results.json. */
  nodes: NodeResult[];
  failures: NodeResult[];
  /** Errors not tied to a node (parsing, connection, crash), and dbt output that was not JSON. */
  errors: string[];
  reconciliation: Reconciliation | null;
  /**
   * What the run published for the attribution page; null when it published nothing (a failed
   * build, another target than local, or a selection without the attribution models). Absent in
   * results recorded before issue 14.
   */
  attribution?: AttributionPublication | null;
  docsGenerated: boolean;
}

/** The reconciliation of the newest models run that produced one. */
export interface LatestReconciliation {
  runId: string;
  finishedAt: string | null;
  reconciliation: Reconciliation;
}

// ---------------------------------------------------------------------------------------------
// Attribution models (issue 14): what a successful local models run publishes to PostgreSQL for
// the web's attribution page, after `dbt build` (phase 'publish', workers/models/
// attribution-publication.ts), in ONE transaction that replaces the previous publication (delete
// all + insert; readers see the old rows until the commit). A failed build publishes nothing and
// leaves the previous publication in place. "Last built at": the newest job_runs row of kind
// 'models' with status 'succeeded' whose result.attribution is not null (its finished_at).
// Rules, rounding, settings: dbt/README.md, "Attribution models"; channels: docs/channels.md.
//
// commerce.attribution_credits (Prisma AttributionCredit; dbt fct_attribution_credits):
//   one row per (checkout_id, user_id, model, click_id): a candidate click's credit for a checkout
//   under a model. Candidates of a checkout = the rule's: same user and product, click_time in
//   [checkout_time - lookback, checkout_time], both ends inclusive (dbt var
//   attribution_lookback_hours, default 1 = the rule's hour). Positions 1..n by (click_time,
//   click_id in byte order). first_click / last_click: one row (position 1 / n); linear,
//   time_decay, position_based: a row per candidate (a time-decay credit may be 0.00).
//   A checkout with NO candidate has no row here (see 'unattributed' below).
//   weight numeric(38,10): 0 <= weight <= 1; per checkout and model the weights sum to 1 up to
//     their 10-decimal rounding (the amounts are the exact figures).
//   credited_amount numeric(38,2): per checkout and model the credits sum to the checkout's
//     total_amount EXACTLY (cents by largest remainder, ties to the earlier click).
//   click_time, channel (one of CHANNELS of lib/domain/channel.ts), campaign (utm_campaign or
//   null), product_id, checkout_date (UTC date of the checkout).
//   Per-checkout view: WHERE checkout_id = $1 (primary key prefix), ordered by model, click_time.
//
// commerce.attribution_by_channel (Prisma AttributionByChannel; dbt rpt_attribution_by_channel):
//   one row per (model, checkout_date, channel, campaign) (campaign null = none; unique NULLS NOT
//   DISTINCT). credited_amount numeric(38,2) = sum of the credits; conversions numeric(38,10) =
//   sum of weights (fractional checkouts); checkouts = checkouts with a credit there; clicks =
//   credited clicks. Revenue by channel under a model = SUM(credited_amount) GROUP BY channel.
//   channel 'unattributed' (UNATTRIBUTED_CHANNEL; campaign null, clicks 0, conversions =
//   checkouts): the revenue of checkouts with no candidate click, the same under every model, so
//   for one model and day SUM(credited_amount) over all channels = the day's revenue. (A group
//   whose sum would not fit numeric(38,2), only possible with hostile amounts, is left out and
//   counted in ModelsRunResult.attribution.overflowRows.)
//   Credit moving between models: compare a channel's sums under two models (same days).
// ---------------------------------------------------------------------------------------------

/** The attribution models, in the order the web shows them. */
export const ATTRIBUTION_MODELS = [
  'first_click',
  'last_click',
  'linear',
  'time_decay',
  'position_based',
] as const;

export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

/** attribution_by_channel's channel for checkouts no click is credited for (not a click channel). */
export const UNATTRIBUTED_CHANNEL = 'unattributed';

/** Progress of the publish phase (ModelsPhase 'publish'): rows written so far. */
export interface PublishProgress {
  credits: number;
  byChannel: number;
}

/** A finished publication. */
export interface AttributionPublication extends PublishProgress {
  /** rpt_attribution_by_channel rows left out: their sum does not fit numeric(38,2). */
  overflowRows: number;
  seconds: number;
}

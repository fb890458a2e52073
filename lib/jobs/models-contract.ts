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

export type ModelsPhase = 'build' | 'reconciliation' | 'docs' | 'done';

export interface ModelsRunProgress extends ModelsProgress {
  phase: ModelsPhase;
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
  docsGenerated: boolean;
}

/** The reconciliation of the newest models run that produced one. */
export interface LatestReconciliation {
  runId: string;
  finishedAt: string | null;
  reconciliation: Reconciliation;
}

// The batch jobs the jobs worker runs (workers/jobs/), and the life of one run in
// commerce.job_runs: 'queued' (the web or the schedule asked for it) → 'running' (a jobs worker
// claimed it and keeps its heartbeat fresh) → 'succeeded' | 'failed'.
export const JOB_KINDS = ['lake_export', 'models'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** How messages name a run of each kind ("a lake export is already running"). */
export const JOB_NAMES: Record<JobKind, string> = {
  lake_export: 'lake export',
  models: 'models run',
};

export const isJobKind = (value: string): value is JobKind =>
  (JOB_KINDS as readonly string[]).includes(value);

// One commerce.job_runs row as the web shows it (API, admin page), and the errors of the store.
import { JOB_NAMES, type JobKind, type JobStatus } from './job-kinds.ts';

export interface JobRunView {
  id: string;
  kind: JobKind;
  status: JobStatus;
  /** When it was queued, then when a worker first claimed it. */
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  progress: unknown;
  result: unknown;
  error: string | null;
  /** The jobs worker that claimed it last ("<name> <pid>@<host>"), null while queued. */
  claimedBy: string | null;
  /** Claims so far: more than one means a worker died (or stopped) and another took over. */
  attempts: number;
}

/** A run of this kind is queued or running already; the database allows one at a time. */
export class JobAlreadyActiveError extends Error {
  constructor(
    readonly kind: JobKind,
    readonly active: Pick<JobRunView, 'id' | 'status' | 'startedAt'> | null,
  ) {
    const name = JOB_NAMES[kind];
    const article = /^[aeiou]/.test(name) ? 'an' : 'a';
    super(
      active
        ? `${article} ${name} is already ${active.status === 'queued' ? 'queued' : 'running'} (run ${active.id}, ${active.status === 'queued' ? 'requested' : 'started'} ${active.startedAt}); not starting another`
        : `${article} ${name} is already running; not starting another`,
    );
    this.name = 'JobAlreadyActiveError';
  }
}

/** A job kind's state as the admin page reads it (GET /api/admin/lake, /api/admin/models). */
export interface JobStatusView {
  /** A run is queued or running (anywhere): the page disables its button. */
  running: boolean;
  /** That run, with the progress its worker last wrote. */
  current: JobRunView | null;
  /** Newest first (for models without the node lists and reconciliation). */
  runs: JobRunView[];
}

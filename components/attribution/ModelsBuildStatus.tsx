'use client';
// "Last built at" and the Rebuild button of the attribution page. The button queues a models run
// through the admin API (POST /api/admin/models/run: sign-in required, one run at a time) and the
// run's row is polled like the admin page does (every second while it runs); when it ends, the
// page's figures are read again.
import Link from 'next/link';
import type { ModelsJobProgress } from '../../lib/jobs/models-contract.ts';
import { ErrorCallout } from '../admin/ErrorCallout.tsx';
import { MODELS_PHASES, useModelsRun } from '../admin/use-models-run.ts';
import { formatCount, formatTime } from '../format.ts';

export function ModelsBuildStatus({ lastBuiltAt }: { lastBuiltAt: string | null }) {
  const { signedIn, sessionKnown, status, running, start } = useModelsRun({
    idleRefetchMs: 10_000,
    onRunEnded: (client) => void client.invalidateQueries({ queryKey: ['attribution'] }),
  });

  const current = status.data?.current ?? null;
  const progress = current?.progress as ModelsJobProgress | null | undefined;
  const phase = current?.status === 'queued' ? 'queued' : (progress?.phase ?? 'python');
  const build = progress && 'nodes' in progress ? progress : null;
  const total = build?.total ?? null;
  const done = build?.done ?? 0;
  // Rows of the new publication written so far (the 'publish' phase).
  const published = (progress as { publish?: { credits: number } } | null | undefined)?.publish;

  return (
    <section className="card build-status" data-testid="models-build">
      <div className="card-title-row">
        <p className="build-status__when">
          Last built{' '}
          <strong data-testid="last-built-at" data-value={lastBuiltAt ?? ''}>
            {lastBuiltAt ? formatTime(lastBuiltAt) : 'never'}
          </strong>
          <span className="muted small">
            {' '}
            · the models read the lake: checkouts count from the lake export before the build (
            <Link href="/admin#models">runs and timings</Link>)
          </span>
        </p>
        <button
          type="button"
          className="button"
          disabled={!signedIn || running || start.isPending}
          title={signedIn ? undefined : 'Sign in with the admin token first'}
          onClick={() => start.mutate()}
          data-testid="rebuild-models"
        >
          {running ? 'Rebuilding…' : 'Rebuild'}
        </button>
      </div>
      {!signedIn && sessionKnown && (
        <p className="muted small">
          <Link href="/signin?next=/attribution">Sign in</Link> to rebuild the models.
        </p>
      )}
      <ErrorCallout error={start.error} testId="rebuild-error" />
      {current && (
        <div className="progress-block" data-testid="rebuild-progress" data-status={current.status}>
          <p className="small">
            <span className="badge badge--warn">{current.status}</span>{' '}
            {MODELS_PHASES[phase] ?? phase}
            {total !== null && ` · ${done} of ${total} nodes`}
            {phase === 'publish' && published && ` · ${formatCount(published.credits)} credits`}
            <span className="muted"> · since {formatTime(current.startedAt)}</span>
          </p>
          <div className="progress">
            <span style={{ width: `${total ? (100 * done) / total : 0}%` }} />
          </div>
        </div>
      )}
    </section>
  );
}

'use client';
// "Last built at" and the Rebuild button of the attribution page. The button queues a models run
// through the admin API (POST /api/admin/models/run: sign-in required, one run at a time) and the
// run's row is polled like the admin page does (every second while it runs); when it ends, the
// page's figures are read again.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import type { JobStatusView } from '../../lib/jobs/job-run.ts';
import type { ModelsJobProgress } from '../../lib/jobs/models-contract.ts';
import { ErrorCallout } from '../admin/ErrorCallout.tsx';
import { apiGet, apiPost } from '../api-client.ts';
import { useSession } from '../auth/use-session.ts';
import { formatCount, formatTime } from '../format.ts';

/** The admin page's key: both pages share one cache entry and one poll. */
const MODELS_STATUS_KEY = ['admin', 'models'];

const PHASES: Record<string, string> = {
  queued: 'waiting for a jobs worker',
  python: 'preparing the Python tools',
  build: 'dbt build',
  reconciliation: 'reading the reconciliation',
  publish: 'publishing the credits',
  docs: 'generating the docs',
  done: 'finishing',
};

export function ModelsBuildStatus({ lastBuiltAt }: { lastBuiltAt: string | null }) {
  const client = useQueryClient();
  const session = useSession();
  const signedIn = session.data?.signedIn === true;
  const [wasRunning, setWasRunning] = useState(false);
  const status = useQuery({
    queryKey: MODELS_STATUS_KEY,
    queryFn: () => apiGet<JobStatusView>('/api/admin/models'),
    refetchInterval: (q) => (q.state.data?.running ? 1_000 : 10_000),
  });
  const running = status.data?.running === true;
  if (wasRunning !== running) {
    setWasRunning(running);
    if (!running) void client.invalidateQueries({ queryKey: ['attribution'] });
  }
  const start = useMutation({
    mutationFn: () => apiPost<{ runId: string }>('/api/admin/models/run'),
    onSettled: () => client.invalidateQueries({ queryKey: MODELS_STATUS_KEY }),
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
      {!signedIn && session.data && (
        <p className="muted small">
          <Link href="/signin?next=/attribution">Sign in</Link> to rebuild the models.
        </p>
      )}
      <ErrorCallout error={start.error} testId="rebuild-error" />
      {current && (
        <div className="progress-block" data-testid="rebuild-progress" data-status={current.status}>
          <p className="small">
            <span className="badge badge--warn">{current.status}</span> {PHASES[phase] ?? phase}
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

'use client';
// The dbt models on the admin page: a button that queues `dbt build` for the jobs worker (signed
// in only; one at a time), its live progress per model and test as the worker writes it to the
// run's row (polled every second while it runs), the history of runs with timings and failures,
// the latest layer reconciliation, and the docs link.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { JobRunView } from '../../lib/jobs/job-run.ts';
import type {
  ModelsJobProgress,
  ModelsRunResult,
  NodeResult,
} from '../../lib/jobs/models-contract.ts';
import { apiGet } from '../api-client.ts';
import { ErrorCallout } from './ErrorCallout.tsx';
import { formatSeconds, formatTime } from '../format.ts';
import { Reconciliation } from './Reconciliation.tsx';
import { MODELS_PHASES, useModelsRun } from './use-models-run.ts';

export function ModelsPanel() {
  // When a run ends, its reconciliation is the newest: fetch it at once.
  const { signedIn, sessionKnown, status, running, start } = useModelsRun({
    idleRefetchMs: 5_000,
    onRunEnded: (client) =>
      void client.invalidateQueries({ queryKey: ['admin', 'reconciliation'] }),
  });

  const current = status.data?.current ?? null;
  return (
    <section className="card" id="models" data-testid="models">
      <div className="card-title-row">
        <h3 className="card-title">Models</h3>
        <div>
          <a className="button button--secondary" href="/dbt-docs" target="_blank" rel="noreferrer">
            dbt docs & lineage
          </a>{' '}
          <button
            type="button"
            className="button"
            disabled={!signedIn || running || start.isPending}
            title={signedIn ? undefined : 'Sign in with the admin token first'}
            onClick={() => start.mutate()}
          >
            {running ? 'Models running…' : 'Run models'}
          </button>
        </div>
      </div>
      <p className="muted small">
        <span className="mono">dbt build</span> over the lake: staging, batch attribution, the one
        big table and the reports, every model tested; then the reconciliation of the batch layer
        with the speed layer, and the docs site.
      </p>
      {!signedIn && sessionKnown && (
        <p className="muted small">
          <a href="#sign-in">Sign in</a> to run the models.
        </p>
      )}
      <ErrorCallout error={start.error} testId="models-error" />
      <ErrorCallout error={status.error} />
      {current && <CurrentRun current={current} />}

      <h4>Runs</h4>
      <ModelRuns runs={status.data?.runs ?? []} />

      <h4>Reconciliation of the two layers</h4>
      <Reconciliation />
    </section>
  );
}

/** Node tables sit inside other tables: fixed layout, so long test names wrap instead of widening. */
const NODE_TABLE = { tableLayout: 'fixed', width: '100%', wordBreak: 'break-word' } as const;

const nodeBadge = (status: string) => {
  const kind =
    status === 'success' || status === 'pass'
      ? 'badge--ok'
      : status === 'error' || status === 'fail'
        ? 'badge--bad'
        : status === 'running' || status === 'warn'
          ? 'badge--warn'
          : 'badge--muted';
  return <span className={`badge ${kind}`}>{status}</span>;
};

function CurrentRun({ current }: { current: JobRunView }) {
  const p = current.progress as ModelsJobProgress | null;
  const phase = current.status === 'queued' ? 'queued' : (p?.phase ?? 'python');
  const build = p && 'nodes' in p ? p : null;
  const total = build?.total ?? null;
  const done = build?.done ?? 0;
  // Running nodes first, then the most recent finished ones.
  const nodes = build
    ? [
        ...build.nodes.filter((n) => n.status === 'running'),
        ...build.nodes.filter((n) => n.status !== 'running').reverse(),
      ]
    : [];
  return (
    <div className="progress-block" data-testid="models-progress" data-status={current.status}>
      <p>
        <span className="badge badge--warn">{current.status}</span>{' '}
        <span data-testid="models-phase">{MODELS_PHASES[phase] ?? phase}</span>
        {total !== null && (
          <span data-testid="models-done">
            {' '}
            · {done} of {total} nodes
          </span>
        )}
        <span className="muted"> · since {formatTime(current.startedAt)}</span>
        {current.claimedBy && (
          <span className="muted small mono" data-testid="models-worker">
            {' '}
            · on {current.claimedBy}
          </span>
        )}
      </p>
      <div className="progress">
        <span style={{ width: `${total ? (100 * done) / total : 0}%` }} />
      </div>
      {nodes.length > 0 && (
        <div style={{ maxHeight: 260, overflowY: 'auto', marginTop: 8 }}>
          <table className="table table--compact" style={NODE_TABLE}>
            <thead>
              <tr>
                <th style={{ width: '58%' }}>Node</th>
                <th>Type</th>
                <th>Status</th>
                <th className="num">Time</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => (
                <tr key={n.uniqueId} data-testid="models-node">
                  <td className="mono small">{n.name}</td>
                  <td className="small">{n.resourceType}</td>
                  <td>
                    {nodeBadge(n.status)}
                    {n.message && <div className="small">{n.message}</div>}
                  </td>
                  <td className="num">{formatSeconds(n.seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

type RunSummary = Omit<ModelsRunResult, 'nodes' | 'reconciliation'>;

function ModelRuns({ runs }: { runs: JobRunView[] }) {
  const [open, setOpen] = useState<string | null>(null);
  if (runs.length === 0) return <p className="muted empty-note">No model run yet.</p>;
  return (
    <table className="table table--compact" data-testid="models-runs">
      <thead>
        <tr>
          <th>Started (UTC)</th>
          <th className="num">Duration</th>
          <th className="num">dbt build</th>
          <th>Outcome</th>
          <th>Nodes</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const result = run.result as RunSummary | null;
          const c = result?.counts;
          return (
            <RunRows
              key={run.id}
              run={run}
              result={result}
              counts={
                c
                  ? `${c.success} built, ${c.pass} passed, ${c.fail} failed, ${c.error} errors, ${c.skipped} skipped`
                  : '—'
              }
              open={open === run.id}
              toggle={() => setOpen((o) => (o === run.id ? null : run.id))}
            />
          );
        })}
      </tbody>
    </table>
  );
}

function RunRows({
  run,
  result,
  counts,
  open,
  toggle,
}: {
  run: JobRunView;
  result: RunSummary | null;
  counts: string;
  open: boolean;
  toggle: () => void;
}) {
  return (
    <>
      <tr data-testid="models-run" data-status={run.status}>
        <td className="nowrap">{formatTime(run.startedAt).replace(' UTC', '')}</td>
        <td className="num">
          {run.durationMs === null ? '—' : formatSeconds(run.durationMs / 1000)}
        </td>
        <td className="num">{result ? formatSeconds(result.buildSeconds) : '—'}</td>
        <td>
          <span
            className={`badge ${run.status === 'succeeded' ? 'badge--ok' : run.status === 'failed' ? 'badge--bad' : 'badge--warn'}`}
          >
            {run.status}
          </span>
          {run.error && (
            <div className="small" data-testid="models-run-error">
              {run.error.slice(0, 400)}
            </div>
          )}
        </td>
        <td className="small" data-testid="models-run-counts">
          {counts}
        </td>
        <td>
          {run.status !== 'running' && (
            <button type="button" className="link-button" onClick={toggle} aria-expanded={open}>
              {open ? 'Hide' : 'Timings'}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={6}>
            <RunNodes runId={run.id} />
          </td>
        </tr>
      )}
    </>
  );
}

function RunNodes({ runId }: { runId: string }) {
  const run = useQuery({
    queryKey: ['admin', 'models', 'run', runId],
    queryFn: () => apiGet<{ nodes: NodeResult[] }>(`/api/admin/models/runs/${runId}`),
  });
  if (run.error) return <div className="callout callout--bad">{run.error.message}</div>;
  if (!run.data) return <p className="muted">loading…</p>;
  // Failures first, then the slowest.
  const rank = (n: NodeResult) => (n.status === 'error' || n.status === 'fail' ? 0 : 1);
  const nodes = [...run.data.nodes].sort((a, b) => rank(a) - rank(b) || b.seconds - a.seconds);
  return (
    <div style={{ maxHeight: 320, overflowY: 'auto' }} data-testid="models-run-nodes">
      <table className="table table--compact" style={NODE_TABLE}>
        <thead>
          <tr>
            <th style={{ width: '58%' }}>Node</th>
            <th>Type</th>
            <th>Status</th>
            <th className="num">Time</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.uniqueId}>
              <td className="mono small">{n.name}</td>
              <td className="small">{n.resourceType}</td>
              <td>
                {nodeBadge(n.status)}
                {n.message && (n.status === 'error' || n.status === 'fail') && (
                  <div className="small">{n.message}</div>
                )}
              </td>
              <td className="num">{formatSeconds(n.seconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

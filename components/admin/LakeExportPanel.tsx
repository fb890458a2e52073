'use client';
// The lake export on the admin page: a button that queues one for the jobs worker (signed in
// only; a run already queued or running is shown, never started twice), its live progress per
// topic as the worker writes it to the run's row (polled every second while it runs), the
// history of runs, and each Delta table with its history and time travel.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { JobRunView, JobStatusView } from '../../lib/jobs/job-run.ts';
import type { LakeExportProgress, LakeExportResult } from '../../lib/jobs/lake-export-contract.ts';
import type { HistoryEntry, TableSummary } from '../../lib/lake/table-history.ts';
import { apiGet, apiPost } from '../api-client.ts';
import { ErrorCallout } from './ErrorCallout.tsx';
import { useSession } from '../auth/use-session.ts';
import { formatBytes, formatCount, formatSeconds, formatTime } from '../format.ts';

const STATUS_KEY = ['admin', 'lake'];
const TABLES_KEY = ['admin', 'lake', 'tables'];

export function LakeExportPanel() {
  const client = useQueryClient();
  const session = useSession();
  const signedIn = session.data?.signedIn === true;
  const status = useQuery({
    queryKey: STATUS_KEY,
    queryFn: () => apiGet<JobStatusView>('/api/admin/lake'),
    refetchInterval: (q) => (q.state.data?.running ? 1_000 : 5_000),
  });
  const running = status.data?.running === true;
  const [wasRunning, setWasRunning] = useState(false);
  // When a run ends, the tables have new versions: read them (and their histories) at once.
  if (wasRunning !== running) {
    setWasRunning(running);
    if (!running) {
      void client.invalidateQueries({ queryKey: TABLES_KEY });
      void client.invalidateQueries({ queryKey: ['admin', 'lake', 'history'] });
    }
  }
  const tables = useQuery({
    queryKey: TABLES_KEY,
    queryFn: () => apiGet<TableSummary[]>('/api/admin/lake/tables'),
    refetchInterval: running ? 2_000 : 15_000,
  });
  const start = useMutation({
    mutationFn: () => apiPost<{ runId: string | null }>('/api/admin/lake/run'),
    onSettled: () => client.invalidateQueries({ queryKey: STATUS_KEY }),
  });

  const current = status.data?.current ?? null;
  return (
    <section className="card" id="lake-export" data-testid="lake-export">
      <div className="card-title-row">
        <h3 className="card-title">Lake export</h3>
        <button
          type="button"
          className="button"
          disabled={!signedIn || running || start.isPending}
          title={signedIn ? undefined : 'Sign in with the admin token first'}
          onClick={() => start.mutate()}
        >
          {running ? 'Export running…' : 'Run lake export'}
        </button>
      </div>
      <p className="muted small">
        Kafka topics to Delta Lake tables, exactly once: each run reads from where the lake stopped
        up to the topics&apos; ends at its start, and commits every table once. Runs daily on its
        own; run it now to get the newest events into the lake.
      </p>
      {!signedIn && session.data && (
        <p className="muted small" data-testid="lake-sign-in-note">
          <a href="#sign-in">Sign in</a> to run an export.
        </p>
      )}
      <ErrorCallout error={start.error} testId="lake-export-error" />
      <ErrorCallout error={status.error} />
      {current && <CurrentExport current={current} />}

      <h4>Runs</h4>
      <ExportRuns runs={status.data?.runs ?? []} />

      <h4>Tables</h4>
      <LakeTables tables={tables.data ?? []} error={tables.error} />
    </section>
  );
}

function CurrentExport({ current }: { current: JobRunView }) {
  const p = current.progress as LakeExportProgress | null;
  const topics = Object.entries(p?.topics ?? {});
  const queued = current.status === 'queued';
  return (
    <div className="progress-block" data-testid="lake-export-progress" data-status={current.status}>
      <p>
        <span className="badge badge--warn">{current.status}</span>{' '}
        <span data-testid="lake-export-phase">
          {queued ? 'waiting for a jobs worker' : (p?.phase ?? 'starting')}
        </span>
        {p && !queued && <span className="muted"> · {formatSeconds(p.elapsedMs / 1000)}</span>}
        <span className="muted small mono"> · run {current.id}</span>
        {current.claimedBy && (
          <span className="muted small mono" data-testid="lake-export-worker">
            {' '}
            · on {current.claimedBy}
          </span>
        )}
      </p>
      {topics.length > 0 && (
        <table className="table table--compact">
          <thead>
            <tr>
              <th>Topic</th>
              <th>Messages read / to read</th>
              <th className="num">Valid</th>
              <th className="num">Invalid</th>
              <th className="num">Files</th>
              <th className="num">Bytes</th>
            </tr>
          </thead>
          <tbody>
            {topics.map(([topic, t]) => (
              <tr key={topic} data-testid="lake-topic-progress">
                <td className="mono">{topic}</td>
                <td style={{ minWidth: 200 }}>
                  <span data-testid="lake-topic-read">
                    {formatCount(t.read)} / {formatCount(t.total)}
                  </span>
                  <div className="bar">
                    <span style={{ width: `${t.total > 0 ? (100 * t.read) / t.total : 100}%` }} />
                  </div>
                </td>
                <td className="num">{formatCount(t.valid)}</td>
                <td className="num">{formatCount(t.invalid)}</td>
                <td className="num">{formatCount(t.filesWritten)}</td>
                <td className="num">{formatBytes(t.bytesWritten)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const outcomeBadge = (status: JobRunView['status']) => (
  <span
    className={`badge ${status === 'succeeded' ? 'badge--ok' : status === 'failed' ? 'badge--bad' : 'badge--warn'}`}
  >
    {status}
  </span>
);

function ExportRuns({ runs }: { runs: JobRunView[] }) {
  if (runs.length === 0) return <p className="muted empty-note">No export has run yet.</p>;
  return (
    <table className="table table--compact" data-testid="lake-runs">
      <thead>
        <tr>
          <th>Started (UTC)</th>
          <th>Finished</th>
          <th className="num">Duration</th>
          <th>Outcome</th>
          <th>Rows per table</th>
          <th>Delta versions</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const result = run.result as LakeExportResult | null;
          const tables = Object.entries(result?.tables ?? {});
          return (
            <tr key={run.id} data-testid="lake-run" data-status={run.status}>
              <td className="nowrap">{formatTime(run.startedAt).replace(' UTC', '')}</td>
              <td className="nowrap">
                {run.finishedAt ? formatTime(run.finishedAt).replace(' UTC', '') : '—'}
              </td>
              <td className="num">
                {run.durationMs === null ? '—' : formatSeconds(run.durationMs / 1000)}
              </td>
              <td>
                {outcomeBadge(run.status)}
                {run.error && (
                  <div className="small" data-testid="lake-run-error">
                    {run.error}
                  </div>
                )}
              </td>
              <td className="small" data-testid="lake-run-rows">
                {tables.map(([name, t]) => (
                  <div key={name}>
                    <span className="mono">{name}</span> {formatCount(t.rowsAdded)}
                  </div>
                ))}
              </td>
              <td className="small" data-testid="lake-run-versions">
                {tables.map(([name, t]) => (
                  <div key={name}>
                    <span className="mono">{name}</span>{' '}
                    {t.version === null ? 'no commit' : `v${t.version}`}
                  </div>
                ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function LakeTables({ tables, error }: { tables: TableSummary[]; error: Error | null }) {
  const [open, setOpen] = useState<string | null>(null);
  if (error) return <ErrorCallout error={error} />;
  return (
    <table className="table table--compact" data-testid="lake-tables">
      <thead>
        <tr>
          <th>Table</th>
          <th className="num">Version</th>
          <th className="num">Rows</th>
          <th className="num">Files</th>
          <th className="num">Size</th>
          <th className="num">Partitions</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {tables.map((t) => (
          <TableRow
            key={t.table}
            table={t}
            open={open === t.table}
            toggle={() => setOpen((o) => (o === t.table ? null : t.table))}
          />
        ))}
      </tbody>
    </table>
  );
}

function TableRow({
  table: t,
  open,
  toggle,
}: {
  table: TableSummary;
  open: boolean;
  toggle: () => void;
}) {
  return (
    <>
      <tr data-testid="lake-table" data-table={t.table}>
        <td className="mono">{t.table}</td>
        <td className="num" data-testid="lake-table-version">
          {t.version ?? '—'}
        </td>
        <td className="num">{formatCount(t.rows)}</td>
        <td className="num">{formatCount(t.files)}</td>
        <td className="num">{formatBytes(t.bytes)}</td>
        <td className="num">{t.exists ? formatCount(t.partitions.length) : '—'}</td>
        <td>
          {t.exists && (
            <button type="button" className="link-button" onClick={toggle} aria-expanded={open}>
              {open ? 'Hide history' : 'History'}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={7}>
            <TableHistory table={t.table} />
          </td>
        </tr>
      )}
    </>
  );
}

function TableHistory({ table }: { table: string }) {
  const [asOf, setAsOf] = useState<number | null>(null);
  const history = useQuery({
    queryKey: ['admin', 'lake', 'history', table],
    queryFn: () => apiGet<HistoryEntry[]>(`/api/admin/lake/tables/${table}/history`),
  });
  const snapshot = useQuery({
    queryKey: ['admin', 'lake', 'as-of', table, asOf],
    queryFn: () =>
      apiGet<{ version: number; rows: number | null; files: number }>(
        `/api/admin/lake/tables/${table}/versions/${asOf}`,
      ),
    enabled: asOf !== null,
  });
  return (
    <div data-testid="lake-table-history" data-table={table}>
      {history.error && (
        <div className="callout callout--bad" role="alert">
          {String(history.error.message)}
        </div>
      )}
      {asOf !== null && (
        <div className="callout" data-testid="lake-as-of">
          <strong>
            <span className="mono">{table}</span> as of version {asOf}:
          </strong>{' '}
          {snapshot.data
            ? `${formatCount(snapshot.data.rows)} rows in ${formatCount(snapshot.data.files)} files`
            : snapshot.error
              ? snapshot.error.message
              : 'reading…'}
        </div>
      )}
      <table className="table table--compact">
        <thead>
          <tr>
            <th className="num">Version</th>
            <th>Committed (UTC)</th>
            <th>Operation</th>
            <th className="num">Rows added</th>
            <th className="num">Files added</th>
            <th className="num">Files removed</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {history.data?.map((h) => (
            <tr key={h.version} data-testid="lake-history-entry" data-version={h.version}>
              <td className="num">{h.version}</td>
              <td className="nowrap">
                {h.timestamp === null ? '—' : formatTime(h.timestamp).replace(' UTC', '')}
              </td>
              <td>{h.operation ?? '—'}</td>
              <td className="num">{formatCount(h.rowsAdded)}</td>
              <td className="num">{formatCount(h.filesAdded)}</td>
              <td className="num">{formatCount(h.filesRemoved)}</td>
              <td>
                <button type="button" className="link-button" onClick={() => setAsOf(h.version)}>
                  View as of version {h.version}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

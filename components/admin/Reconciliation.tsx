'use client';
// The latest reconciliation of the batch layer with the speed layer: agreement per day as a chart
// (with the checkouts each layer saw), and the checkouts on which they differ, each linking to its
// detail page. Read from the newest model run that recorded one.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { LatestReconciliation } from '../../lib/jobs/models-contract.ts';
import { apiGet } from '../api-client.ts';
import { formatCount, formatTime } from '../format.ts';

const REASONS: Record<string, string> = {
  missing_in_speed: 'missing in speed',
  missing_in_batch: 'missing in batch',
  other_click: 'other click',
  late_data: 'late data',
};

export function Reconciliation() {
  const latest = useQuery({
    queryKey: ['admin', 'reconciliation'],
    queryFn: () => apiGet<LatestReconciliation | null>('/api/admin/models/reconciliation'),
    refetchInterval: 30_000,
  });
  if (latest.error) return <div className="callout callout--bad">{latest.error.message}</div>;
  if (latest.data === undefined) return <p className="muted">loading…</p>;
  if (latest.data === null) {
    return (
      <p className="muted empty-note" data-testid="reconciliation-empty">
        No reconciliation yet: run the lake export, then the models.
      </p>
    );
  }
  const { reconciliation: r, finishedAt } = latest.data;
  const agree = r.days.reduce((n, d) => n + d.agreeingCheckouts, 0);
  const all = r.days.reduce((n, d) => n + d.allCheckouts, 0);
  return (
    <div data-testid="reconciliation">
      <p className="small">
        <strong data-testid="reconciliation-agreement">
          {formatCount(agree)} of {formatCount(all)} checkouts agree
        </strong>{' '}
        ({all > 0 ? ((100 * agree) / all).toFixed(1) : '—'}%) over {r.days.length} day
        {r.days.length === 1 ? '' : 's'}
        <span className="muted"> · models run finished {formatTime(finishedAt)}</span>
      </p>
      <div className="chart-box" data-testid="reconciliation-chart" data-days={r.days.length}>
        <ResponsiveContainer width="100%" height={240}>
          <ComposedChart data={r.days} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#eef0f3" vertical={false} />
            <XAxis dataKey="checkoutDate" tick={{ fontSize: 12, fill: '#5f6b7a' }} />
            <YAxis
              yAxisId="count"
              tick={{ fontSize: 12, fill: '#5f6b7a' }}
              width={56}
              allowDecimals={false}
            />
            <YAxis
              yAxisId="pct"
              orientation="right"
              domain={[0, 100]}
              unit="%"
              tick={{ fontSize: 12, fill: '#5f6b7a' }}
              width={48}
            />
            <Tooltip />
            <Legend verticalAlign="top" wrapperStyle={{ fontSize: 13 }} />
            <Bar
              yAxisId="count"
              dataKey="agreeingCheckouts"
              name="agreeing"
              stackId="c"
              fill="#3d9970"
              isAnimationActive={false}
            />
            <Bar
              yAxisId="count"
              dataKey="differingCheckouts"
              name="differing"
              stackId="c"
              fill="#d9534f"
              isAnimationActive={false}
            />
            <Line
              yAxisId="pct"
              dataKey="agreementPct"
              name="agreement %"
              stroke="#2f6fed"
              strokeWidth={2}
              dot
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <table className="table table--compact" data-testid="reconciliation-days">
        <thead>
          <tr>
            <th>Day</th>
            <th className="num">Batch</th>
            <th className="num">Speed</th>
            <th className="num">Agree</th>
            <th className="num">Missing in speed</th>
            <th className="num">Missing in batch</th>
            <th className="num">Other click</th>
            <th className="num">Late data</th>
            <th className="num">Agreement</th>
          </tr>
        </thead>
        <tbody>
          {r.days.map((d) => (
            <tr key={d.checkoutDate}>
              <td className="nowrap">{d.checkoutDate}</td>
              <td className="num">{formatCount(d.batchCheckouts)}</td>
              <td className="num">{formatCount(d.speedCheckouts)}</td>
              <td className="num">{formatCount(d.agreeingCheckouts)}</td>
              <td className="num">{formatCount(d.missingInSpeed)}</td>
              <td className="num">{formatCount(d.missingInBatch)}</td>
              <td className="num">{formatCount(d.otherClick)}</td>
              <td className="num">{formatCount(d.lateData)}</td>
              <td className="num">{d.agreementPct.toFixed(1)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>
        Differing checkouts{' '}
        <span className="muted small">
          {r.differences.length === 0
            ? 'none'
            : `${r.differencesTruncated ? 'the newest ' : ''}${formatCount(r.differences.length)}`}
        </span>
      </h4>
      {r.differences.length > 0 && (
        <div style={{ maxHeight: 360, overflowY: 'auto' }}>
          <table className="table table--compact" data-testid="reconciliation-differences">
            <thead>
              <tr>
                <th>Checkout</th>
                <th>Day</th>
                <th>Reason</th>
                <th>Batch click</th>
                <th>Speed click</th>
              </tr>
            </thead>
            <tbody>
              {r.differences.map((d) => (
                <tr key={d.checkoutId} data-testid="reconciliation-difference">
                  <td className="mono small">
                    <Link href={`/checkouts/${encodeURIComponent(d.checkoutId)}`}>
                      {d.checkoutId}
                    </Link>
                  </td>
                  <td className="nowrap">{d.checkoutDate}</td>
                  <td>
                    <span className="badge badge--warn">{REASONS[d.reason] ?? d.reason}</span>
                  </td>
                  <td className="mono small">{d.batchClickId ?? '—'}</td>
                  <td className="mono small">
                    {d.speedClickId ?? '—'}
                    {d.isSpeedFinal === false && <span className="muted"> (not final)</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

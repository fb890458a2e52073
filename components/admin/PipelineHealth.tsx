'use client';
// Pipeline health for operators, live from the `pipeline` snapshots: each worker (answering or
// not, and why), each attributor partition (watermark, retained state, pending checkouts, next
// offsets), consumer lag per topic (a chart of its partitions and of its recent total), and counts
// by topic and dead-letter reason.
import { useState } from 'react';
import type { PipelineSnapshot } from '../../lib/web/pipeline-snapshot.ts';
import { formatBytes, formatCount, formatSeconds, formatTime } from '../format.ts';
import { useLiveEvent } from '../live-socket.ts';
import { ConsumerLagCharts } from './ConsumerLagCharts.tsx';

export function PipelineHealth({ initialSnapshot }: { initialSnapshot: PipelineSnapshot | null }) {
  const [snapshot, setSnapshot] = useState(initialSnapshot);
  useLiveEvent('pipeline', setSnapshot);

  if (!snapshot) return <p className="muted">Waiting for the first pipeline snapshot…</p>;
  return (
    <div className="health" data-testid="pipeline-health">
      <section className="card">
        <h3 className="card-title">Workers</h3>
        <table className="table table--compact" data-testid="workers-table">
          <thead>
            <tr>
              <th>Metrics URL</th>
              <th>Status</th>
              <th className="num">Partitions</th>
              <th>Last progress</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.workers.map((w) => (
              <tr key={w.url}>
                <td className="mono">{w.url}</td>
                <td>
                  {w.up ? (
                    <span className="badge badge--ok">up</span>
                  ) : (
                    <>
                      <span className="badge badge--bad">down</span>{' '}
                      <span className="small">{w.error}</span>
                    </>
                  )}
                </td>
                <td className="num">{w.up ? w.partitions : '—'}</td>
                <td>{w.lastProgressAt ? formatTime(w.lastProgressAt) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {snapshot.workers.length === 0 && (
          <p className="muted empty-note">No worker configured: set WORKER_METRICS_URL.</p>
        )}
      </section>

      <section className="card">
        <h3 className="card-title">Attributor partitions</h3>
        {snapshot.partitions.length === 0 ? (
          <p className="muted empty-note">No partition assigned to an answering worker.</p>
        ) : (
          <table className="table table--compact" data-testid="partitions-table">
            <thead>
              <tr>
                <th className="num">Partition</th>
                <th>Watermark (UTC)</th>
                <th className="num">Delay</th>
                <th className="num">Keys</th>
                <th className="num">Clicks</th>
                <th className="num">State</th>
                <th className="num">Pending checkouts</th>
                <th>Next offsets</th>
              </tr>
            </thead>
            <tbody>
              {snapshot.partitions.map((p) => (
                <tr key={`${p.worker}/${p.partition}`}>
                  <td className="num">{p.partition}</td>
                  <td className="nowrap">
                    {p.watermark === null
                      ? 'none yet'
                      : formatTime(p.watermark).replace(' UTC', '')}
                  </td>
                  <td className="num">{formatSeconds(p.watermarkDelaySec)}</td>
                  <td className="num">{formatCount(p.keys)}</td>
                  <td className="num">{formatCount(p.clicks)}</td>
                  <td className="num">{formatBytes(p.stateBytes)}</td>
                  <td className="num">{formatCount(p.pendingCheckouts)}</td>
                  <td className="mono small">
                    {Object.entries(p.nextOffsets)
                      .map(([topic, offset]) => `${topic}@${offset}`)
                      .join(', ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <div className="grid-2">
        <section className="card">
          <h3 className="card-title">Consumer lag</h3>
          {snapshot.lag.length === 0 ? (
            <p className="muted empty-note">No lag reported yet.</p>
          ) : (
            <ConsumerLagCharts lag={snapshot.lag} at={snapshot.at} />
          )}
        </section>
        <section className="card">
          <h3 className="card-title">Since the workers started</h3>
          <table className="table table--compact">
            <tbody>
              {snapshot.eventsByTopic.map((e) => (
                <tr key={e.label}>
                  <td>
                    consumed from <span className="mono">{e.label}</span>
                  </td>
                  <td className="num">{formatCount(e.count)}</td>
                </tr>
              ))}
              {snapshot.deadLettersByReason.map((d) => (
                <tr key={d.label}>
                  <td>
                    dead-lettered: <span className="mono">{d.label}</span>
                  </td>
                  <td className="num">{formatCount(d.count)}</td>
                </tr>
              ))}
              <tr>
                <td>late events</td>
                <td className="num">{formatCount(snapshot.figures.lateEvents)}</td>
              </tr>
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}

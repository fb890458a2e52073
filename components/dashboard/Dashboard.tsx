'use client';
// The live dashboard: figures, charts, feed, top products and the delay histogram, all from the
// `pipeline` snapshots server.ts pushes every second (workers' metrics and the sink); the revenue
// by channel is read beside them (ChannelRevenue). Starts from the snapshot the server rendered
// with, so the first paint already has figures.
import Link from 'next/link';
import { useState } from 'react';
import type { PipelineSnapshot, SeriesPoint } from '../../lib/web/pipeline-snapshot.ts';
import { FigureCard } from '../FigureCard.tsx';
import {
  formatBytes,
  formatCount,
  formatMoney,
  formatPercent,
  formatRate,
  formatSeconds,
  formatTime,
} from '../format.ts';
import { useLiveEvent } from '../live-socket.ts';
import { ChannelRevenue } from './ChannelRevenue.tsx';
import { DelayHistogram } from './DelayHistogram.tsx';
import { LiveFeed } from './LiveFeed.tsx';
import { SeriesChart } from './SeriesChart.tsx';
import { TopProducts } from './TopProducts.tsx';

const MAX_POINTS = 300;

function windowLabel(snapshot: PipelineSnapshot | null): string {
  const sink = snapshot?.sink;
  if (!sink || sink.fromTime === null || !sink.capped) return 'over the last hour';
  return `over the newest ${formatCount(sink.rows)} checkouts (since ${formatTime(sink.fromTime).slice(11, 19)} UTC)`;
}

export function Dashboard({
  initialSnapshot,
  initialHistory,
}: {
  initialSnapshot: PipelineSnapshot | null;
  initialHistory: SeriesPoint[];
}) {
  const [snapshot, setSnapshot] = useState(initialSnapshot);
  const [points, setPoints] = useState(initialHistory);

  useLiveEvent('pipelineHistory', (history) => setPoints(history.slice(-MAX_POINTS)));
  useLiveEvent('pipeline', (next) => {
    setSnapshot(next);
    setPoints((previous) =>
      previous.at(-1)?.t === next.point.t ? previous : [...previous, next.point].slice(-MAX_POINTS),
    );
  });

  const f = snapshot?.figures;
  const workersUp = snapshot?.workers.filter((w) => w.up).length ?? 0;
  const noWorkers = snapshot !== null && workersUp === 0;
  const hasRows = (snapshot?.sink?.rows ?? 0) > 0;
  const idle = snapshot !== null && !snapshot.flowing;
  const windowText = windowLabel(snapshot);

  return (
    <>
      <div className="page-header page-header--row">
        <div>
          <h1>Clickstream</h1>
          <p className="lede">First-click attribution on the e-commerce click stream, live.</p>
        </div>
        <p className="muted small" data-testid="pipeline-updated">
          {snapshot
            ? `${workersUp} of ${snapshot.workers.length} worker${snapshot.workers.length === 1 ? '' : 's'} answering · updated ${formatTime(snapshot.at).slice(11, 19)} UTC`
            : 'waiting for the first pipeline snapshot…'}
        </p>
      </div>

      {noWorkers && (
        <section className="card empty-state" data-testid="empty-state">
          <h2>No speed-layer worker answers</h2>
          <p>
            The figures come from the workers&apos; metrics (
            {snapshot.workers.map((w) => w.url).join(', ')}:{' '}
            {snapshot.workers[0]?.error ?? 'none configured'}). Start them with{' '}
            <code>npm run workers</code> (<code>npm run demo</code> starts everything), then send
            traffic from the simulator.
          </p>
          <Link href="/simulator" className="button">
            Open the simulator
          </Link>
        </section>
      )}
      {!noWorkers && idle && !hasRows && (
        <section className="card empty-state" data-testid="empty-state">
          <h2>No events yet — start the simulator</h2>
          <p>
            The figures fill in as clicks and checkouts flow through Kafka. The simulator sends a
            realistic stream of both.
          </p>
          <Link href="/simulator" className="button">
            Open the simulator
          </Link>
        </section>
      )}
      {!noWorkers && idle && hasRows && (
        <div className="callout" data-testid="idle-note">
          Nothing is flowing right now
          {snapshot.lastRowWrittenAt !== null &&
            ` (last row written ${formatTime(snapshot.lastRowWrittenAt).slice(11, 19)} UTC)`}
          . <Link href="/simulator">Start the simulator</Link> to see the figures move.
        </div>
      )}
      {snapshot?.sinkError && (
        <div className="callout callout--bad" role="alert">
          Cannot read the sink table: {snapshot.sinkError}
        </div>
      )}

      <div className="figure-grid figure-grid--five" data-testid="figures">
        <FigureCard
          testId="figure-events"
          label="Events in / s"
          raw={f?.eventsPerSec}
          value={formatRate(f?.eventsPerSec)}
          hint="clicks and checkouts consumed by the workers"
        />
        <FigureCard
          testId="figure-checkouts"
          label="Checkouts / s"
          raw={f?.checkoutsPerSec}
          value={formatRate(f?.checkoutsPerSec)}
          hint="checkouts whose row became final"
        />
        <FigureCard
          testId="figure-attribution-rate"
          label="Attribution rate"
          raw={f?.attributionRate}
          value={formatPercent(f?.attributionRate)}
          hint={`checkouts with a click in the hour before, ${windowText}`}
        />
        <FigureCard
          testId="figure-revenue"
          label="Attributed revenue"
          raw={f?.attributedRevenue}
          value={formatMoney(f?.attributedRevenue)}
          hint={`of attributed checkouts, ${windowText}`}
        />
        <FigureCard
          testId="figure-lag"
          label="Consumer lag"
          raw={f?.consumerLag}
          value={formatCount(f?.consumerLag)}
          hint="messages not yet read, all topics"
        />
        <FigureCard
          testId="figure-watermark"
          label="Watermark delay"
          raw={f?.watermarkDelaySec}
          value={formatSeconds(f?.watermarkDelaySec)}
          hint="now minus the slowest partition's watermark"
        />
        <FigureCard
          testId="figure-state"
          label="Retained state"
          raw={f?.stateClicks}
          value={f?.stateClicks == null ? undefined : `${formatCount(f.stateClicks)} clicks`}
          hint={`${formatCount(f?.stateKeys)} user-product keys, ${formatBytes(f?.stateBytes)}`}
        />
        <FigureCard
          testId="figure-latency"
          label="End-to-end p95"
          raw={f?.endToEndP95Sec}
          value={formatSeconds(f?.endToEndP95Sec)}
          hint="checkout sent → row written, last 10 s"
        />
        <FigureCard
          testId="figure-late"
          label="Late events"
          raw={f?.lateEvents}
          value={formatCount(f?.lateEvents)}
          hint="behind the watermark, kept and flagged (since the workers started)"
        />
        <FigureCard
          testId="figure-dead-letters"
          label="Dead-lettered"
          raw={f?.deadLetters}
          value={formatCount(f?.deadLetters)}
          hint="malformed messages stored for inspection (since the workers started)"
        />
      </div>

      <div className="grid-2">
        <SeriesChart
          testId="chart-throughput"
          title="Throughput"
          points={points}
          lines={[
            { key: 'eventsPerSec', label: 'events / s', color: '#2f5bd3', format: formatRate },
            {
              key: 'checkoutsPerSec',
              label: 'final checkouts / s',
              color: '#1f8a4c',
              format: formatRate,
            },
          ]}
        />
        <SeriesChart
          testId="chart-lag"
          title="Lag and watermark delay"
          points={points}
          lines={[
            {
              key: 'consumerLag',
              label: 'consumer lag (messages)',
              color: '#b7791f',
              format: formatCount,
            },
            {
              key: 'watermarkDelaySec',
              label: 'watermark delay (s)',
              color: '#c53030',
              right: true,
              format: formatSeconds,
            },
          ]}
        />
      </div>

      <div className="grid-feed">
        <LiveFeed rows={snapshot?.feed ?? []} hidden={snapshot?.feedHidden === true} />
        <TopProducts products={snapshot?.topProducts ?? []} />
      </div>

      <ChannelRevenue />
      <DelayHistogram bins={snapshot?.histogram ?? []} />
    </>
  );
}

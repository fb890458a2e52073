// The live traffic's state and the simulator's own counts of what it sent (not what the pipeline
// made of it: the dashboard shows that).
import Link from 'next/link';
import type { SimulatorStatus } from '../../lib/web/simulator-status.ts';
import { formatCount, formatRate, formatTime } from '../format.ts';
import { ChannelMixSummary } from './ChannelMixSummary.tsx';

export function LiveTrafficStatus({ status }: { status: SimulatorStatus }) {
  const live = status.live;
  return (
    <section className="card status-card" data-testid="simulator-status" data-state={live.state}>
      <div className="status-card__head">
        <h2 className="card-title">Live traffic</h2>
        <span
          className={`badge ${live.state === 'running' ? 'badge--ok' : live.state === 'failed' ? 'badge--bad' : 'badge--muted'}`}
          data-testid="simulator-state"
        >
          {live.state}
        </span>
      </div>
      <dl className="stats-row">
        <div>
          <dt>Sending</dt>
          <dd data-testid="simulator-send-rate">{formatRate(live.sendRate)} msg/s</dd>
        </div>
        <div>
          <dt>Sent</dt>
          <dd data-testid="simulator-sent" data-value={live.counts.sent}>
            {formatCount(live.counts.sent)}
          </dd>
        </div>
        <div>
          <dt>Clicks</dt>
          <dd>{formatCount(live.counts.clicks)}</dd>
        </div>
        <div>
          <dt>Checkouts</dt>
          <dd>{formatCount(live.counts.checkouts)}</dd>
        </div>
        <div>
          <dt>Late / duplicate / malformed</dt>
          <dd>
            {formatCount(live.counts.late)} / {formatCount(live.counts.duplicates)} /{' '}
            {formatCount(live.counts.malformed)}
          </dd>
        </div>
        <div>
          <dt>Users renamed</dt>
          <dd>{formatCount(live.counts.renames)}</dd>
        </div>
      </dl>
      {live.settings && (
        <ChannelMixSummary
          mix={live.settings.channelMix}
          sent={live.counts.channels}
          testId="simulator-channel-mix"
        />
      )}
      <p className="muted small">
        {live.startedAt !== null && `Started ${formatTime(live.startedAt)}. `}
        Topics <code>{status.topics.clicks}</code> and <code>{status.topics.checkouts}</code>. These
        are the simulator&apos;s own counts of what it sent; the <Link href="/">dashboard</Link>{' '}
        shows what the pipeline made of it.
      </p>
      {live.error && (
        <p className="form-error" role="alert">
          Traffic stopped: {live.error}
        </p>
      )}
    </section>
  );
}

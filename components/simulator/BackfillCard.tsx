// A backfill of past hours (event times in the past, oldest first, as fast as Kafka takes them)
// with its progress, or the button that cancels the one running.
import { useState } from 'react';
import { LIMITS } from '../../lib/web/schemas.ts';
import type { SimulatorStatus } from '../../lib/web/simulator-status.ts';
import { formatCount, formatSeconds } from '../format.ts';
import { ChannelMixSummary } from './ChannelMixSummary.tsx';
import { NumberField } from './NumberField.tsx';

export function BackfillCard({
  backfill,
  liveRunning,
  busy,
  onBackfill,
  onCancel,
}: {
  backfill: SimulatorStatus['backfill'];
  /** Live traffic is on: backfilled events would be behind the watermark. */
  liveRunning: boolean;
  busy: string | null;
  onBackfill: (hours: number, rate: number) => void;
  onCancel: () => void;
}) {
  const [hours, setHours] = useState(24);
  const [backfillRate, setBackfillRate] = useState(5);
  return (
    <section className="card" aria-label="Backfill" data-testid="backfill">
      <h2 className="card-title">Backfill history</h2>
      <p className="muted small">
        Writes past hours of events (event times in the past, oldest first) as fast as Kafka takes
        them, with the settings above (channel mix included), so the batch layer and the models have
        days to work on.
        {liveRunning &&
          ' While live traffic runs, backfilled events are behind the watermark and count as late: stop it first for on-time history.'}
      </p>
      <div className="form-grid form-grid--tight">
        <NumberField
          label="Hours"
          value={hours}
          onChange={setHours}
          min={1}
          max={LIMITS.maxBackfillHours}
          step="any"
          name="hours"
        />
        <NumberField
          label="Rate"
          unit="events/s of event time"
          value={backfillRate}
          onChange={setBackfillRate}
          min={0.1}
          max={LIMITS.maxBackfillEventsPerSec}
          step="any"
          name="backfillRate"
        />
      </div>
      <p className="small muted">About {formatCount(hours * 3600 * backfillRate)} events.</p>
      {backfill.state !== 'idle' && (
        <div className="progress-block" data-testid="backfill-progress" data-state={backfill.state}>
          <div
            className="progress"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(backfill.fraction * 100)}
          >
            <span style={{ width: `${backfill.fraction * 100}%` }} />
          </div>
          <p className="small">
            {backfill.state} · {Math.round(backfill.fraction * 100)}% ·{' '}
            {formatCount(backfill.counts.sent)} messages
            {backfill.etaSec !== null && ` · about ${formatSeconds(backfill.etaSec)} left`}
            {backfill.error && ` · ${backfill.error}`}
          </p>
          {backfill.settings && (
            <ChannelMixSummary
              mix={backfill.settings.channelMix}
              sent={backfill.counts.channels}
              testId="backfill-channel-mix"
            />
          )}
        </div>
      )}
      {backfill.state === 'running' ? (
        <button
          type="button"
          className="button button--danger"
          disabled={busy !== null}
          onClick={onCancel}
        >
          Cancel backfill
        </button>
      ) : (
        <button
          type="button"
          className="button button--secondary"
          disabled={busy !== null}
          onClick={() => onBackfill(hours, backfillRate)}
        >
          {busy === 'backfill' ? 'Starting…' : `Backfill ${hours} h`}
        </button>
      )}
    </section>
  );
}

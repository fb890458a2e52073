'use client';
// The simulator's controls and live status: settings for live traffic (start/stop), reference
// data seeding, and a backfill of past hours with its progress. Status arrives every second over
// socket.io; actions go to the admin-only /api/simulator routes.
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { LIMITS } from '../../lib/web/schemas.ts';
import type { SimulatorStatus } from '../../lib/web/simulator-status.ts';
import { ApiError, apiPost } from '../api-client.ts';
import { AdminGate } from '../auth/AdminGate.tsx';
import { formatCount, formatRate, formatSeconds, formatTime } from '../format.ts';
import { useLiveEvent } from '../live-socket.ts';
import { NumberField } from './NumberField.tsx';

export interface StreamForm {
  rate: number;
  users: number;
  products: number;
  checkoutPercent: number;
  clickToCheckoutMinSec: number;
  clickToCheckoutMaxSec: number;
  outOfOrderPercent: number;
  latePercent: number;
  duplicatePercent: number;
  malformedPercent: number;
  renameEverySec: number;
}

const defaults: StreamForm = {
  rate: 50,
  users: 100,
  products: 50,
  checkoutPercent: 30,
  clickToCheckoutMinSec: 5,
  clickToCheckoutMaxSec: 600,
  outOfOrderPercent: 5,
  latePercent: 0,
  duplicatePercent: 1,
  malformedPercent: 0,
  renameEverySec: 10,
};

const presets: { name: string; hint: string; form: Partial<StreamForm> }[] = [
  { name: 'Gentle', hint: '50 events/s, clean', form: { ...defaults } },
  {
    name: 'Messy',
    hint: '200 events/s with late, duplicate and malformed events',
    form: {
      rate: 200,
      latePercent: 2,
      duplicatePercent: 3,
      malformedPercent: 2,
      outOfOrderPercent: 10,
    },
  },
  {
    name: 'Busy',
    hint: '2,000 events/s over 10,000 users',
    form: { rate: 2000, users: 10_000, products: 500, latePercent: 0, malformedPercent: 0 },
  },
];

function streamBody(f: StreamForm) {
  return {
    users: f.users,
    products: f.products,
    checkoutProbability: f.checkoutPercent / 100,
    clickToCheckoutSec: { min: f.clickToCheckoutMinSec, max: f.clickToCheckoutMaxSec },
    outOfOrderShare: f.outOfOrderPercent / 100,
    lateShare: f.latePercent / 100,
    duplicateShare: f.duplicatePercent / 100,
    malformedShare: f.malformedPercent / 100,
  };
}

function ActionError({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert" data-testid="action-error">
      {error.message}
      {error.status === 401 && (
        <>
          {' '}
          <Link href="/signin?next=/simulator">Sign in</Link>
        </>
      )}
    </p>
  );
}

export function SimulatorPanel({ initialStatus }: { initialStatus: SimulatorStatus }) {
  const [status, setStatus] = useState(initialStatus);
  const [form, setForm] = useState<StreamForm>(() =>
    initialStatus.live.settings
      ? {
          ...defaults,
          rate: initialStatus.live.settings.rate,
          users: initialStatus.live.settings.users,
          products: initialStatus.live.settings.products,
        }
      : defaults,
  );
  const [hours, setHours] = useState(24);
  const [backfillRate, setBackfillRate] = useState(5);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useLiveEvent('simulator', setStatus);

  const set = (key: keyof StreamForm) => (value: number) =>
    setForm((f) => ({ ...f, [key]: value }));

  async function act(name: string, path: string, body: unknown) {
    setBusy(name);
    setError(null);
    try {
      setStatus(await apiPost<SimulatorStatus>(path, body));
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
    } finally {
      setBusy(null);
    }
  }

  const live = status.live;
  const running =
    live.state === 'running' || live.state === 'starting' || live.state === 'stopping';
  const backfill = status.backfill;

  function start(event: FormEvent) {
    event.preventDefault();
    void act('start', '/api/simulator/start', {
      rate: form.rate,
      ...streamBody(form),
      renameEverySec: form.renameEverySec,
    });
  }

  return (
    <div className="simulator">
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
        <p className="muted small">
          {live.startedAt !== null && `Started ${formatTime(live.startedAt)}. `}
          Topics <code>{status.topics.clicks}</code> and <code>{status.topics.checkouts}</code>.
          These are the simulator&apos;s own counts of what it sent; the{' '}
          <Link href="/">dashboard</Link> shows what the pipeline made of it.
        </p>
        {live.error && (
          <p className="form-error" role="alert">
            Traffic stopped: {live.error}
          </p>
        )}
      </section>

      <AdminGate action="run the simulator">
        <form className="card" onSubmit={start} aria-label="Live traffic settings" noValidate>
          <div className="card-title-row">
            <h2 className="card-title">Settings</h2>
            <div className="presets">
              {presets.map((p) => (
                <button
                  key={p.name}
                  type="button"
                  className="chip"
                  title={p.hint}
                  onClick={() => setForm((f) => ({ ...f, ...p.form }))}
                  disabled={running}
                >
                  {p.name}
                </button>
              ))}
            </div>
          </div>
          <div className="form-grid">
            <NumberField
              label="Rate"
              unit="events/s"
              value={form.rate}
              onChange={set('rate')}
              min={0.1}
              max={LIMITS.maxEventsPerSec}
              step="any"
              name="rate"
              hint={`clicks and checkouts together, at most ${formatCount(LIMITS.maxEventsPerSec)}`}
            />
            <NumberField
              label="Users"
              value={form.users}
              onChange={set('users')}
              min={1}
              max={LIMITS.maxUsers}
              name="users"
              hint="ids 1…N; id N does not exist (unknown user)"
            />
            <NumberField
              label="Products"
              value={form.products}
              onChange={set('products')}
              min={1}
              max={LIMITS.maxProducts}
              name="products"
            />
            <NumberField
              label="Click → checkout probability"
              unit="%"
              value={form.checkoutPercent}
              onChange={set('checkoutPercent')}
              min={0}
              max={100}
              step="any"
              name="checkoutPercent"
            />
            <NumberField
              label="Click → checkout, shortest"
              unit="s"
              value={form.clickToCheckoutMinSec}
              onChange={set('clickToCheckoutMinSec')}
              min={0}
              max={LIMITS.maxClickToCheckoutSec}
              step="any"
              name="clickToCheckoutMinSec"
            />
            <NumberField
              label="Click → checkout, longest"
              unit="s"
              value={form.clickToCheckoutMaxSec}
              onChange={set('clickToCheckoutMaxSec')}
              min={0}
              max={LIMITS.maxClickToCheckoutSec}
              step="any"
              name="clickToCheckoutMaxSec"
              hint="over 3,600 s some checkouts stay unattributed"
            />
            <NumberField
              label="Out of order"
              unit="%"
              value={form.outOfOrderPercent}
              onChange={set('outOfOrderPercent')}
              min={0}
              max={50}
              step="any"
              name="outOfOrderPercent"
              hint="event time pulled back, still on time"
            />
            <NumberField
              label="Late"
              unit="%"
              value={form.latePercent}
              onChange={set('latePercent')}
              min={0}
              max={50}
              step="any"
              name="latePercent"
              hint="behind the allowed lateness"
            />
            <NumberField
              label="Duplicate"
              unit="%"
              value={form.duplicatePercent}
              onChange={set('duplicatePercent')}
              min={0}
              max={50}
              step="any"
              name="duplicatePercent"
            />
            <NumberField
              label="Malformed"
              unit="%"
              value={form.malformedPercent}
              onChange={set('malformedPercent')}
              min={0}
              max={50}
              step="any"
              name="malformedPercent"
              hint="go to the dead-letter store"
            />
            <NumberField
              label="Rename a user every"
              unit="s"
              value={form.renameEverySec}
              onChange={set('renameEverySec')}
              min={0}
              max={3600}
              step="any"
              name="renameEverySec"
              hint="0 = never"
            />
          </div>
          <div className="form-actions">
            {running ? (
              <button
                type="button"
                className="button button--danger"
                onClick={() => void act('stop', '/api/simulator/stop', { what: 'live' })}
                disabled={busy !== null || live.state === 'stopping'}
              >
                {busy === 'stop' || live.state === 'stopping' ? 'Stopping…' : 'Stop traffic'}
              </button>
            ) : (
              <button type="submit" className="button" disabled={busy !== null}>
                {busy === 'start' ? 'Starting…' : 'Start traffic'}
              </button>
            )}
          </div>
          <ActionError error={error} />
        </form>

        <div className="grid-2">
          <section className="card" aria-label="Reference data">
            <h2 className="card-title">Reference data</h2>
            <p className="muted small">
              Inserts users 0…{formatCount(form.users - 1)} and products 0…
              {formatCount(form.products - 1)} into <code>commerce.users</code> and{' '}
              <code>commerce.products</code> (existing ids are kept). Starting traffic does this
              too.
            </p>
            {status.seeded && (
              <p className="small" data-testid="seeded">
                Seeded {formatCount(status.seeded.users)} users and{' '}
                {formatCount(status.seeded.products)} products at {formatTime(status.seeded.at)}.
              </p>
            )}
            <button
              type="button"
              className="button button--secondary"
              disabled={busy !== null}
              onClick={() =>
                void act('seed', '/api/simulator/seed', {
                  users: form.users,
                  products: form.products,
                })
              }
            >
              {busy === 'seed' ? 'Seeding…' : 'Seed users and products'}
            </button>
          </section>

          <section className="card" aria-label="Backfill" data-testid="backfill">
            <h2 className="card-title">Backfill history</h2>
            <p className="muted small">
              Writes past hours of events (event times in the past, oldest first) as fast as Kafka
              takes them, with the settings above, so the batch layer and the models have days to
              work on.
              {running &&
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
              <div
                className="progress-block"
                data-testid="backfill-progress"
                data-state={backfill.state}
              >
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
              </div>
            )}
            {backfill.state === 'running' ? (
              <button
                type="button"
                className="button button--danger"
                disabled={busy !== null}
                onClick={() => void act('cancel', '/api/simulator/stop', { what: 'backfill' })}
              >
                Cancel backfill
              </button>
            ) : (
              <button
                type="button"
                className="button button--secondary"
                disabled={busy !== null}
                onClick={() =>
                  void act('backfill', '/api/simulator/backfill', {
                    hours,
                    rate: backfillRate,
                    ...streamBody(form),
                  })
                }
              >
                {busy === 'backfill' ? 'Starting…' : `Backfill ${hours} h`}
              </button>
            )}
          </section>
        </div>
      </AdminGate>
    </div>
  );
}

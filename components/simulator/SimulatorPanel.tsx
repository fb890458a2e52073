'use client';
// The simulator's controls and live status: settings for live traffic (start/stop), reference
// data seeding, and a backfill of past hours with its progress. Status arrives every second over
// socket.io; actions go to the admin-only /api/simulator routes.
import { useState } from 'react';
import type { SimulatorStatus } from '../../lib/web/simulator-status.ts';
import { ApiError, apiPost } from '../api-client.ts';
import { AdminGate } from '../auth/AdminGate.tsx';
import { useLiveEvent } from '../live-socket.ts';
import { BackfillCard } from './BackfillCard.tsx';
import { LiveTrafficStatus } from './LiveTrafficStatus.tsx';
import { ReferenceDataCard } from './ReferenceDataCard.tsx';
import { defaultStreamForm, streamBody, type StreamForm } from './stream-form.ts';
import { TrafficSettingsForm } from './TrafficSettingsForm.tsx';

export function SimulatorPanel({ initialStatus }: { initialStatus: SimulatorStatus }) {
  const [status, setStatus] = useState(initialStatus);
  const [form, setForm] = useState<StreamForm>(() =>
    initialStatus.live.settings
      ? {
          ...defaultStreamForm,
          rate: initialStatus.live.settings.rate,
          users: initialStatus.live.settings.users,
          products: initialStatus.live.settings.products,
          channelWeights: initialStatus.live.settings.channelMix.weights,
        }
      : defaultStreamForm,
  );
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useLiveEvent('simulator', setStatus);

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

  return (
    <div className="simulator">
      <LiveTrafficStatus status={status} />

      <AdminGate action="run the simulator">
        <TrafficSettingsForm
          form={form}
          setForm={setForm}
          running={running}
          stopping={live.state === 'stopping'}
          busy={busy}
          error={error}
          onStart={() =>
            void act('start', '/api/simulator/start', {
              rate: form.rate,
              ...streamBody(form),
              renameEverySec: form.renameEverySec,
            })
          }
          onStop={() => void act('stop', '/api/simulator/stop', { what: 'live' })}
        />

        <div className="grid-2">
          <ReferenceDataCard
            users={form.users}
            products={form.products}
            seeded={status.seeded}
            busy={busy}
            onSeed={() =>
              void act('seed', '/api/simulator/seed', {
                users: form.users,
                products: form.products,
              })
            }
          />
          <BackfillCard
            backfill={status.backfill}
            liveRunning={running}
            busy={busy}
            onBackfill={(hours, rate) =>
              void act('backfill', '/api/simulator/backfill', {
                hours,
                rate,
                ...streamBody(form),
              })
            }
            onCancel={() => void act('cancel', '/api/simulator/stop', { what: 'backfill' })}
          />
        </div>
      </AdminGate>
    </div>
  );
}

// The live traffic's settings (presets and one field per generator setting, the channel mix) with
// the start and stop buttons. The server's schema is the rule; the fields' limits are hints (NumberField).
import type { Dispatch, FormEvent, SetStateAction } from 'react';
import { LIMITS } from '../../lib/web/schemas.ts';
import type { ApiError } from '../api-client.ts';
import { formatCount } from '../format.ts';
import { ActionError } from './ActionError.tsx';
import { NumberField } from './NumberField.tsx';
import { ChannelMixFields } from './ChannelMixFields.tsx';
import { streamPresets, type NumericStreamKey, type StreamForm } from './stream-form.ts';

interface SettingField {
  key: NumericStreamKey;
  label: string;
  unit?: string;
  min: number;
  max: number;
  step?: 'any';
  hint?: string;
}

const fields: SettingField[] = [
  {
    key: 'rate',
    label: 'Rate',
    unit: 'events/s',
    min: 0.1,
    max: LIMITS.maxEventsPerSec,
    step: 'any',
    hint: `clicks and checkouts together, at most ${formatCount(LIMITS.maxEventsPerSec)}`,
  },
  {
    key: 'users',
    label: 'Users',
    min: 1,
    max: LIMITS.maxUsers,
    hint: 'ids 1…N; id N does not exist (unknown user)',
  },
  { key: 'products', label: 'Products', min: 1, max: LIMITS.maxProducts },
  {
    key: 'checkoutPercent',
    label: 'Click → checkout probability',
    unit: '%',
    min: 0,
    max: 100,
    step: 'any',
  },
  {
    key: 'clickToCheckoutMinSec',
    label: 'Click → checkout, shortest',
    unit: 's',
    min: 0,
    max: LIMITS.maxClickToCheckoutSec,
    step: 'any',
  },
  {
    key: 'clickToCheckoutMaxSec',
    label: 'Click → checkout, longest',
    unit: 's',
    min: 0,
    max: LIMITS.maxClickToCheckoutSec,
    step: 'any',
    hint: 'over 3,600 s some checkouts stay unattributed',
  },
  {
    key: 'outOfOrderPercent',
    label: 'Out of order',
    unit: '%',
    min: 0,
    max: 50,
    step: 'any',
    hint: 'event time pulled back, still on time',
  },
  {
    key: 'latePercent',
    label: 'Late',
    unit: '%',
    min: 0,
    max: 50,
    step: 'any',
    hint: 'behind the allowed lateness',
  },
  { key: 'duplicatePercent', label: 'Duplicate', unit: '%', min: 0, max: 50, step: 'any' },
  {
    key: 'malformedPercent',
    label: 'Malformed',
    unit: '%',
    min: 0,
    max: 50,
    step: 'any',
    hint: 'go to the dead-letter store',
  },
  {
    key: 'renameEverySec',
    label: 'Rename a user every',
    unit: 's',
    min: 0,
    max: 3600,
    step: 'any',
    hint: '0 = never',
  },
];

export function TrafficSettingsForm({
  form,
  setForm,
  running,
  stopping,
  busy,
  error,
  onStart,
  onStop,
}: {
  form: StreamForm;
  setForm: Dispatch<SetStateAction<StreamForm>>;
  /** Live traffic is starting, running or stopping: presets are locked, the button stops. */
  running: boolean;
  stopping: boolean;
  /** The action under way, if any. */
  busy: string | null;
  error: ApiError | null;
  onStart: () => void;
  onStop: () => void;
}) {
  function submit(event: FormEvent) {
    event.preventDefault();
    onStart();
  }

  return (
    <form className="card" onSubmit={submit} aria-label="Live traffic settings" noValidate>
      <div className="card-title-row">
        <h2 className="card-title">Settings</h2>
        <div className="presets">
          {streamPresets.map((p) => (
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
        {fields.map(({ key, ...field }) => (
          <NumberField
            key={key}
            {...field}
            name={key}
            value={form[key]}
            onChange={(value) => setForm((f) => ({ ...f, [key]: value }))}
          />
        ))}
      </div>
      <ChannelMixFields
        weights={form.channelWeights}
        onChange={(channelWeights) => setForm((f) => ({ ...f, channelWeights }))}
        locked={running}
      />
      <div className="form-actions">
        {running ? (
          <button
            type="button"
            className="button button--danger"
            onClick={onStop}
            disabled={busy !== null || stopping}
          >
            {busy === 'stop' || stopping ? 'Stopping…' : 'Stop traffic'}
          </button>
        ) : (
          <button type="submit" className="button" disabled={busy !== null}>
            {busy === 'start' ? 'Starting…' : 'Start traffic'}
          </button>
        )}
      </div>
      <ActionError error={error} />
    </form>
  );
}

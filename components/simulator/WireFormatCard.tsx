'use client';
// How the simulator writes its messages: JSON (the original generator's) or Confluent-framed Avro,
// and the click schema version (v2 adds session_id). Applying switches running traffic at its next
// batch, so a stream can move from v1 to v2 mid-way. "Try click v3" asks the registry to take a
// version that drops a required field, and shows the registry's answer (it refuses it).
import { useState } from 'react';
import type { ClickSchemaVersion, MessageEncoding } from '../../lib/simulator/message-encoder.ts';
import type { SimulatorStatus } from '../../lib/web/simulator-status.ts';
import { ApiError, apiPost } from '../api-client.ts';
import { ActionError } from './ActionError.tsx';

type V3Outcome = { kind: 'accepted'; id: number } | { kind: 'refused'; message: string };

export function WireFormatCard({
  wireFormat,
  registry,
  busy,
  onApply,
}: {
  wireFormat: SimulatorStatus['wireFormat'];
  registry: boolean;
  busy: string | null;
  onApply: (encoding: MessageEncoding, clickSchema: ClickSchemaVersion) => void;
}) {
  const [encoding, setEncoding] = useState<MessageEncoding>(wireFormat.encoding);
  const [clickSchema, setClickSchema] = useState<ClickSchemaVersion>(wireFormat.clickSchema);
  const [v3, setV3] = useState<V3Outcome | null>(null);
  const [v3Error, setV3Error] = useState<ApiError | null>(null);
  const [trying, setTrying] = useState(false);

  async function tryV3() {
    setTrying(true);
    setV3(null);
    setV3Error(null);
    try {
      const { id } = await apiPost<{ id: number }>('/api/simulator/schemas', { clickSchema: 'v3' });
      setV3({ kind: 'accepted', id });
    } catch (e) {
      const error = e instanceof ApiError ? e : new ApiError(0, String(e));
      // 409: the registry's refusal, the answer this button exists to show.
      if (error.status === 409) setV3({ kind: 'refused', message: error.message });
      else setV3Error(error);
    } finally {
      setTrying(false);
    }
  }

  const changed = encoding !== wireFormat.encoding || clickSchema !== wireFormat.clickSchema;
  return (
    <section className="card" aria-label="Wire format" data-testid="wire-format">
      <h2 className="card-title">Wire format</h2>
      <p
        className="small"
        data-testid="wire-format-current"
        data-encoding={wireFormat.encoding}
        data-click-schema={wireFormat.clickSchema}
      >
        Sending <strong>{wireFormat.encoding === 'avro' ? 'Avro' : 'JSON'}</strong>, click schema{' '}
        <strong>{wireFormat.clickSchema}</strong>.
      </p>
      <div className="form-grid">
        <fieldset className="field plain-fieldset">
          <legend>Encoding</legend>
          {(['json', 'avro'] as const).map((e) => (
            <label key={e} className="radio">
              <input
                type="radio"
                name="encoding"
                value={e}
                checked={encoding === e}
                onChange={() => setEncoding(e)}
              />{' '}
              {e === 'json' ? 'JSON' : 'Avro (schema registry)'}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>Click schema</span>
          <select
            name="clickSchema"
            value={clickSchema}
            onChange={(event) => setClickSchema(event.target.value as ClickSchemaVersion)}
          >
            <option value="v1">v1</option>
            <option value="v2">v2 (adds session_id)</option>
          </select>
        </label>
      </div>
      {!registry && encoding === 'avro' && (
        <p className="small muted">No schema registry is configured: Avro cannot be sent.</p>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={busy !== null || !changed}
          onClick={() => onApply(encoding, clickSchema)}
        >
          {busy === 'wire-format' ? 'Registering…' : 'Apply'}
        </button>
        <button
          type="button"
          className="button button--secondary"
          disabled={trying}
          onClick={() => void tryV3()}
          title="click.v3-incompatible.avsc drops the required field product"
        >
          {trying ? 'Asking the registry…' : 'Try click schema v3'}
        </button>
      </div>
      {v3?.kind === 'refused' && (
        <div className="callout callout--bad" role="alert" data-testid="schema-v3-refused">
          {v3.message}
        </div>
      )}
      {v3?.kind === 'accepted' && (
        <div className="callout" data-testid="schema-v3-accepted">
          The registry accepted click v3 (id {v3.id}): its compatibility level lets a required field
          be dropped.
        </div>
      )}
      <ActionError error={v3Error} />
    </section>
  );
}

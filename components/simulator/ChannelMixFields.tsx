// The channel mix of the simulator's clicks: campaign traffic on or off, the presets, and a
// weight per channel with the share of clicks it gives. Off is the original generator's plain
// URLs (every click direct). The server's schema is the rule (weights >= 0, not all 0).
import {
  CHANNEL_LABELS,
  MIX_CHANNELS,
  MIX_PRESETS,
  MIX_PRESET_LABELS,
  MIX_PRESET_NAMES,
  isPlain,
  presetOf,
  type ChannelWeights,
} from '../../lib/simulator/channel-mix.ts';
import { LIMITS } from '../../lib/web/schemas.ts';
import { formatPercent } from '../format.ts';
import { NumberField } from './NumberField.tsx';

export function ChannelMixFields({
  weights,
  onChange,
  locked,
}: {
  weights: ChannelWeights;
  onChange: (weights: ChannelWeights) => void;
  /** Live traffic runs: its mix is fixed until it stops. */
  locked: boolean;
}) {
  const valid = MIX_CHANNELS.every((c) => Number.isFinite(weights[c]) && weights[c] >= 0);
  const total = valid ? MIX_CHANNELS.reduce((sum, c) => sum + weights[c], 0) : 0;
  const preset = total > 0 ? presetOf(weights) : 'custom';
  const campaignTraffic = !(total > 0 && isPlain(weights));
  return (
    <fieldset
      className="plain-fieldset channel-mix"
      disabled={locked}
      aria-label="Channel mix"
      data-testid="channel-mix"
      data-preset={preset}
    >
      <div className="card-title-row">
        <label className="field field--inline">
          <input
            type="checkbox"
            name="campaignTraffic"
            checked={campaignTraffic}
            onChange={(e) => onChange(MIX_PRESETS[e.target.checked ? 'balanced' : 'plain'])}
          />
          <span className="field__label">Campaign traffic</span>
        </label>
        <div className="presets" role="group" aria-label="Channel mix presets">
          {MIX_PRESET_NAMES.map((name) => (
            <button
              key={name}
              type="button"
              className="chip"
              aria-pressed={preset === name}
              onClick={() => onChange(MIX_PRESETS[name])}
            >
              {MIX_PRESET_LABELS[name]}
            </button>
          ))}
        </div>
      </div>
      <p className="muted small">
        {campaignTraffic
          ? 'Clicks land on product URLs tagged as a campaign of their channel would tag them (utm_source, utm_medium, utm_campaign, gclid, fbclid…), drawn from these relative weights; a session keeps its channel half the time, so one user’s clicks on a product come from several channels.'
          : 'Plain product URLs, as the original generator sends them: every click counts as direct.'}
      </p>
      {campaignTraffic && (
        <div className="form-grid form-grid--tight">
          {MIX_CHANNELS.map((channel) => (
            <NumberField
              key={channel}
              label={CHANNEL_LABELS[channel]}
              unit="weight"
              name={`channel-${channel}`}
              value={weights[channel]}
              min={0}
              max={LIMITS.maxChannelWeight}
              step="any"
              hint={total > 0 ? `${formatPercent(weights[channel] / total)} of clicks` : undefined}
              onChange={(value) => onChange({ ...weights, [channel]: value })}
            />
          ))}
        </div>
      )}
    </fieldset>
  );
}

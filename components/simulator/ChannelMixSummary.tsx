// Which channel mix the traffic runs with, and how many of the clicks it sent came from each
// channel (as generated; the pipeline reads the same channel back from the URL).
import {
  CHANNEL_LABELS,
  MIX_CHANNELS,
  MIX_PRESET_LABELS,
  type ChannelMix,
  type MixChannel,
} from '../../lib/simulator/channel-mix.ts';
import { formatCount, formatPercent } from '../format.ts';

export function ChannelMixSummary({
  mix,
  sent,
  testId,
}: {
  mix: ChannelMix;
  sent: Partial<Record<MixChannel, number>>;
  testId: string;
}) {
  const clicks = MIX_CHANNELS.reduce((sum, c) => sum + (sent[c] ?? 0), 0);
  const shown = MIX_CHANNELS.filter((c) => mix.weights[c] > 0 || (sent[c] ?? 0) > 0);
  return (
    <div data-testid={testId} data-preset={mix.preset}>
      <p className="small">
        Channel mix:{' '}
        <strong data-testid={`${testId}-name`}>
          {mix.preset === 'custom' ? 'Custom' : MIX_PRESET_LABELS[mix.preset]}
        </strong>
        {clicks > 0 && ' · clicks sent by channel:'}
      </p>
      {clicks > 0 && (
        <ul className="channel-counts small">
          {shown.map((c) => (
            <li key={c} data-testid={`${testId}-${c}`} data-value={sent[c] ?? 0}>
              {CHANNEL_LABELS[c]} {formatCount(sent[c] ?? 0)} (
              {formatPercent((sent[c] ?? 0) / clicks)})
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

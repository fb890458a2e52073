// How much credit each model moves between channels, against first click (the live rule): per
// channel, model revenue minus first-click revenue, signed, with a bar scaled to the largest
// move. Across channels a model's moves add up to zero: credit moves, revenue does not change.
import type { AttributionReport, ModelKey } from '../../lib/web/attribution-report.ts';
import { BASELINE_MODEL } from '../../lib/web/attribution-report.ts';
import { formatMoney } from '../format.ts';
import { MODEL_COLORS } from './model-colors.ts';

function signedMoney(value: number): string {
  if (Math.round(value * 100) === 0) return formatMoney(0);
  return `${value > 0 ? '+' : '−'}${formatMoney(Math.abs(value))}`;
}

export function CreditShiftTable({ report }: { report: AttributionReport }) {
  const models = report.models.filter((m) => m.key !== BASELINE_MODEL);
  const largest = Math.max(
    0.01,
    ...report.channels.flatMap((c) => models.map((m) => Math.abs(c.shift[m.key]))),
  );
  const cell = (value: number, model: ModelKey) => (
    <td key={model} className="num shift-cell" data-value={value}>
      <span className={value > 0 ? 'shift--up' : value < 0 ? 'shift--down' : 'muted'}>
        {signedMoney(value)}
      </span>
      <span className="shift-bar" aria-hidden="true">
        <span
          style={{
            width: `${(Math.abs(value) / largest) * 50}%`,
            background: MODEL_COLORS[model],
            ...(value < 0 ? { right: '50%' } : { left: '50%' }),
          }}
        />
      </span>
    </td>
  );
  return (
    <section className="card table-card" data-testid="credit-shifts">
      <h2 className="card-title">Credit moved against first click</h2>
      <p className="muted small">
        Per channel: revenue under the model minus revenue under first click. Positive: the model
        credits the channel more than the live rule does.
      </p>
      <table className="table table--compact">
        <thead>
          <tr>
            <th>Channel</th>
            <th className="num">First click</th>
            {models.map((m) => (
              <th key={m.key} className="num">
                {m.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.channels.map((c) => (
            <tr key={c.label} data-testid="credit-shift-row" data-channel={c.channel ?? ''}>
              <td className="nowrap">{c.label}</td>
              <td className="num">{formatMoney(c.revenue[BASELINE_MODEL])}</td>
              {models.map((m) => cell(c.shift[m.key], m.key))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td title="Every model credits the same revenue: it only splits it differently">
              Total revenue
            </td>
            {report.models.map((m) => (
              <td key={m.key} className="num" data-testid={`total-${m.key}`}>
                {formatMoney(report.totals[m.key])}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </section>
  );
}

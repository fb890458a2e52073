// The campaigns that earn the most, under each model: revenue per model, the first-click figure
// first, and under each other model its difference from first click. Campaigns come from the
// clicks' utm_campaign; clicks without one count for their channel only.
import type { AttributionReport } from '../../lib/web/attribution-report.ts';
import { BASELINE_MODEL } from '../../lib/web/attribution-report.ts';
import { formatMoney } from '../format.ts';

function signedMoney(value: number): string {
  if (Math.round(value * 100) === 0) return '±0';
  return `${value > 0 ? '+' : '−'}${formatMoney(Math.abs(value))}`;
}

export function CampaignTable({ report }: { report: AttributionReport }) {
  if (report.campaigns.length === 0) return null;
  return (
    <section className="card table-card" data-testid="campaigns">
      <h2 className="card-title">Top campaigns under each model</h2>
      <table className="table table--compact">
        <thead>
          <tr>
            <th>Campaign</th>
            <th>Channel</th>
            {report.models.map((m) => (
              <th key={m.key} className="num">
                {m.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.campaigns.map((c) => (
            <tr
              key={`${c.channel ?? ''}/${c.campaign}`}
              data-testid="campaign-row"
              data-campaign={c.campaign}
            >
              <td className="mono truncate" title={c.campaign}>
                {c.campaign}
              </td>
              <td className="nowrap">{c.channelLabel}</td>
              {report.models.map((m) => (
                <td key={m.key} className="num" data-model={m.key} data-value={c.revenue[m.key]}>
                  {formatMoney(c.revenue[m.key])}
                  {m.key !== BASELINE_MODEL && (
                    <div
                      className={`small ${c.shift[m.key] > 0 ? 'shift--up' : c.shift[m.key] < 0 ? 'shift--down' : 'muted'}`}
                    >
                      {signedMoney(c.shift[m.key])}
                    </div>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

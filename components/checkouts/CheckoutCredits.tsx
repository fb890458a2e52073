// Beside "why this click": each candidate click's credit under each attribution model, as the
// models job last published it (commerce.attribution_credits). The models read the lake, so a
// checkout newer than the last export and build has no credits yet: the note says which case it is.
import type { CheckoutCredits as Credits } from '../../lib/web/attribution-report.ts';
import { ATTRIBUTION_MODELS, UNKNOWN_CHANNEL_LABEL } from '../../lib/web/attribution-report.ts';
import { formatMoney, formatTime } from '../format.ts';

function coverageNote(credits: Credits | null, attributed: boolean): string {
  if (credits === null) return 'The models’ credits cannot be read right now.';
  if (credits.lastBuiltAt === null) {
    return 'The attribution models have not run yet: rebuild them from the Attribution page.';
  }
  const built = `last built ${formatTime(credits.lastBuiltAt)}`;
  if (!attributed) {
    return `No model credits this checkout (${built}): it has no click in the lookback window, or the models have not covered it yet.`;
  }
  return `The models have not covered this checkout yet (${built}): they read the lake, so it counts from the first lake export and models run after it.`;
}

export function CheckoutCredits({
  credits,
  attributed,
  checkoutTime,
}: {
  credits: Credits | null;
  /** Whether the speed layer found a click (a checkout without one gets no credit anywhere). */
  attributed: boolean;
  checkoutTime: string;
}) {
  const clicks = credits?.clicks ?? [];
  return (
    <section className="card table-card" data-testid="checkout-credits">
      <h2 className="card-title">Credit under each model</h2>
      {clicks.length === 0 ? (
        <p className="muted empty-note" data-testid="credits-note">
          {coverageNote(credits, attributed)}
        </p>
      ) : (
        <>
          <p className="muted small">
            Each candidate click (same user and product, inside the window) and the share of the
            amount each model gives it; every column adds up to the amount. Built{' '}
            {formatTime(credits?.lastBuiltAt ?? null)}.
          </p>
          <table className="table table--compact" data-testid="credits-table">
            <thead>
              <tr>
                <th>Click</th>
                <th>Before checkout</th>
                <th>Channel</th>
                {ATTRIBUTION_MODELS.map((m) => (
                  <th key={m.key} className="num">
                    {m.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {clicks.map((k) => (
                <tr key={k.clickId} data-testid="credits-click" data-click-id={k.clickId}>
                  <td className="mono truncate" title={k.clickId}>
                    {k.clickId}
                  </td>
                  <td className="nowrap">{minutesBefore(checkoutTime, k.clickTime)}</td>
                  <td className={k.channelLabel === UNKNOWN_CHANNEL_LABEL ? 'muted' : undefined}>
                    {k.channelLabel}
                    {k.campaign && <div className="muted small">{k.campaign}</div>}
                  </td>
                  {ATTRIBUTION_MODELS.map((m) => {
                    const credit = k.credits[m.key];
                    return (
                      <td key={m.key} className="num" data-model={m.key}>
                        {credit ? (
                          <>
                            {formatMoney(credit.amount)}
                            <div className="muted small">{(credit.weight * 100).toFixed(1)}%</div>
                          </>
                        ) : (
                          '—'
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function minutesBefore(checkoutTime: string, clickTime: string): string {
  const seconds = (Date.parse(checkoutTime) - Date.parse(clickTime)) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${(seconds / 60).toFixed(1)} min`;
}

'use client';
// The attribution page: when the models were last built (and the button that rebuilds them), the
// revenue by channel under the five models as grouped bars, and how much credit each model moves
// against first click. The day range is the URL's `from`/`to` (shareable); the server renders the
// first report, TanStack Query fetches the next ones from /api/attribution.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import type { AttributionRange, AttributionReport } from '../../lib/web/attribution-report.ts';
import { ErrorCallout } from '../admin/ErrorCallout.tsx';
import { apiGet } from '../api-client.ts';
import { formatCount, formatMoney, formatTime } from '../format.ts';
import { CampaignTable } from './CampaignTable.tsx';
import { CreditShiftTable } from './CreditShiftTable.tsx';
import { ModelComparisonChart } from './ModelComparisonChart.tsx';
import { ModelsBuildStatus } from './ModelsBuildStatus.tsx';

function queryOf(range: AttributionRange): string {
  const params = new URLSearchParams();
  if (range.from) params.set('from', range.from);
  if (range.to) params.set('to', range.to);
  return params.toString();
}

export function AttributionView({
  initialRange,
  initialReport,
}: {
  initialRange: AttributionRange;
  initialReport: AttributionReport | null;
}) {
  const [range, setRange] = useState<AttributionRange>(initialRange);
  const [draft, setDraft] = useState({ from: initialRange.from ?? '', to: initialRange.to ?? '' });
  const query = queryOf(range);
  const report = useQuery({
    queryKey: ['attribution', query],
    queryFn: () => apiGet<AttributionReport>(`/api/attribution${query ? `?${query}` : ''}`),
    initialData: query === queryOf(initialRange) ? (initialReport ?? undefined) : undefined,
    placeholderData: keepPreviousData,
  });

  function apply(event: FormEvent) {
    event.preventDefault();
    const next = { from: draft.from || undefined, to: draft.to || undefined };
    setRange(next);
    const qs = queryOf(next);
    window.history.replaceState(null, '', qs ? `?${qs}` : window.location.pathname);
  }

  const data = report.data;
  const empty = data !== undefined && data.channels.length === 0;
  return (
    <>
      <ModelsBuildStatus lastBuiltAt={data?.lastBuiltAt ?? null} />

      {/* Days to filter exist once a build published some (or a range is already chosen). */}
      {(data?.coverage.from != null || query !== '') && (
        <form className="card filters" onSubmit={apply} aria-label="Checkout days">
          <label className="field">
            <span className="field__label">From (UTC day)</span>
            <input
              type="date"
              name="from"
              value={draft.from}
              onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value }))}
            />
          </label>
          <label className="field">
            <span className="field__label">To (UTC day)</span>
            <input
              type="date"
              name="to"
              value={draft.to}
              onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value }))}
            />
          </label>
          <div className="filters__actions">
            <button type="submit" className="button">
              Apply
            </button>
          </div>
          {data && (
            <p className="muted small filters__note" data-testid="attribution-coverage">
              {formatCount(data.checkouts)} checkouts credited to a click
              {data.unattributedRevenue > 0 &&
                ` (and ${formatMoney(data.unattributedRevenue)} from checkouts with no click in the window, which no model credits)`}
              {data.coverage.from
                ? `; the credits cover ${data.coverage.from} to ${data.coverage.to}`
                : ''}
              .
            </p>
          )}
        </form>
      )}

      <ErrorCallout error={report.error} testId="attribution-error" />
      {empty && <EmptyReport report={data} />}
      {data && !empty && (
        <>
          <ModelComparisonChart report={data} />
          <CreditShiftTable report={data} />
          <CampaignTable report={data} />
        </>
      )}
    </>
  );
}

function EmptyReport({ report }: { report: AttributionReport }) {
  if (report.lastBuiltAt === null && report.coverage.from === null) {
    return (
      <section
        className="card empty-state"
        data-testid="attribution-empty"
        data-reason="never-built"
      >
        <h2>The models have not run yet</h2>
        <p>
          Run the models from here with <strong>Rebuild</strong> above (signed in): the jobs worker
          builds the five models over the lake and publishes each click&apos;s credit. They read the
          lake, so export it first (<Link href="/admin#lake-export">Admin → Lake export</Link>),
          after some traffic from the <Link href="/simulator">simulator</Link>.
        </p>
      </section>
    );
  }
  const ranged = report.range.from !== undefined || report.range.to !== undefined;
  return (
    <section className="card empty-state" data-testid="attribution-empty" data-reason="no-credits">
      <h2>{ranged ? 'No credited checkouts on these days' : 'No credited checkouts yet'}</h2>
      <p>
        {ranged && report.coverage.from
          ? `The credits cover ${report.coverage.from} to ${report.coverage.to}.`
          : `The last build (${formatTime(report.lastBuiltAt)}) credited no checkout: the lake it read had no checkout with a click in its window.`}
      </p>
    </section>
  );
}

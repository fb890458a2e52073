// Attribution models side by side (issue 14): revenue by channel under first click, last click,
// linear, time decay and position-based, as the models job last published them, with the build
// time and the Rebuild button. Aggregates only, open to read; rebuilding needs sign-in.
import type { Metadata } from 'next';
import { connection } from 'next/server';
import { AttributionView } from '../../components/attribution/AttributionView.tsx';
import { attributionReport } from '../../lib/web/attribution-queries.ts';
import {
  parseAttributionRange,
  type AttributionRange,
  type AttributionReport,
} from '../../lib/web/attribution-report.ts';
import { searchParamsObject } from '../../lib/web/schemas.ts';
import { getWebRuntime } from '../../lib/web/web-runtime.ts';

export const metadata: Metadata = { title: 'Attribution · Clickstream' };

export default async function AttributionPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await connection();
  const parsed = parseAttributionRange(searchParamsObject(await searchParams));
  // A bad range is said plainly (the API's 400 message) and the page shows every day.
  const range: AttributionRange = parsed.ok ? parsed.range : {};
  let report: AttributionReport | null = null;
  if (parsed.ok) {
    report = await attributionReport(getWebRuntime().prisma(), range).catch(() => null);
  }
  return (
    <>
      <div className="page-header">
        <h1>Attribution</h1>
        <p className="lede">
          Which channels earn the revenue, under five attribution models. First click is the live
          rule; last click, linear, time decay and position-based (40/20/40) split each
          checkout&apos;s amount over its clicks in the lookback window (an hour by default), from
          the batch layer&apos;s full history.
        </p>
      </div>
      {!parsed.ok && (
        <div className="callout callout--bad" role="alert" data-testid="attribution-range-error">
          {parsed.error}. Showing every day.
        </div>
      )}
      <AttributionView initialRange={range} initialReport={report} />
    </>
  );
}

// The dashboard: headline figures of the attribution pipeline. Until the live feed is wired in,
// the cards show placeholders and the page points at the simulator to produce events.
import Link from 'next/link';
import { FigureCard } from '@/components/FigureCard';

const figures = [
  { label: 'Checkouts', hint: 'checkouts processed by the speed layer' },
  { label: 'Attributed', hint: 'share of checkouts with a first click in the hour before' },
  { label: 'Late events', hint: 'events more than the allowed lateness behind' },
  { label: 'End-to-end latency', hint: 'p95, event received to row written' },
] as const;

export default function DashboardPage() {
  return (
    <>
      <div className="page-header">
        <h1>Clickstream</h1>
        <p className="lede">First-click attribution on the e-commerce click stream, live.</p>
      </div>
      <div className="figure-grid">
        {figures.map(({ label, hint }) => (
          <FigureCard key={label} label={label} hint={hint} />
        ))}
      </div>
      <section className="card empty-state" data-testid="empty-state">
        <h2>No events yet — start the simulator</h2>
        <p>
          The figures fill in as clicks and checkouts flow through Kafka. The simulator sends a
          realistic stream of both.
        </p>
        <Link href="/simulator" className="button">
          Open the simulator
        </Link>
      </section>
    </>
  );
}

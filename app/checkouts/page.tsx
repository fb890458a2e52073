// Placeholder: the table of attributed checkouts (provisional and final rows) comes in a later
// issue.
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Checkouts · Clickstream' };

export default function CheckoutsPage() {
  return (
    <div className="page-header">
      <h1>Checkouts</h1>
      <p className="lede">
        Here you will browse attributed checkouts: the click each one is credited to, whether the
        row is provisional or final, and whether it arrived late.
      </p>
    </div>
  );
}

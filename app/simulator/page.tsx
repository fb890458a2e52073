// Placeholder: the simulator controls (start/stop a synthetic click and checkout stream, rate,
// lateness and bad-message mix) come in a later issue.
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Simulator · Clickstream' };

export default function SimulatorPage() {
  return (
    <div className="page-header">
      <h1>Simulator</h1>
      <p className="lede">
        Here you will start and stop a synthetic stream of clicks and checkouts, set its rate, and
        mix in late and malformed events to watch the pipeline handle them.
      </p>
    </div>
  );
}

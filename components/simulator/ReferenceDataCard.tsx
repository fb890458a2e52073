// Seeding commerce.users and commerce.products with the ids the traffic will use.
import type { SimulatorStatus } from '../../lib/web/simulator-status.ts';
import { formatCount, formatTime } from '../format.ts';

export function ReferenceDataCard({
  users,
  products,
  seeded,
  busy,
  onSeed,
}: {
  users: number;
  products: number;
  seeded: SimulatorStatus['seeded'];
  busy: string | null;
  onSeed: () => void;
}) {
  return (
    <section className="card" aria-label="Reference data">
      <h2 className="card-title">Reference data</h2>
      <p className="muted small">
        Inserts users 0…{formatCount(users - 1)} and products 0…
        {formatCount(products - 1)} into <code>commerce.users</code> and{' '}
        <code>commerce.products</code> (existing ids are kept). Starting traffic does this too.
      </p>
      {seeded && (
        <p className="small" data-testid="seeded">
          Seeded {formatCount(seeded.users)} users and {formatCount(seeded.products)} products at{' '}
          {formatTime(seeded.at)}.
        </p>
      )}
      <button
        type="button"
        className="button button--secondary"
        disabled={busy !== null}
        onClick={onSeed}
      >
        {busy === 'seed' ? 'Seeding…' : 'Seed users and products'}
      </button>
    </section>
  );
}

// The newest attributed checkouts as the sink has them, refreshed with every snapshot. Each row
// links to its detail page, which explains the attribution. Only signed-in browsers get the rows
// (they say who bought); others see where to sign in.
import Link from 'next/link';
import type { FeedRow } from '../../lib/web/pipeline-snapshot.ts';
import { formatClock, formatMoney, formatSeconds } from '../format.ts';

export function LiveFeed({ rows, hidden = false }: { rows: FeedRow[]; hidden?: boolean }) {
  return (
    <section className="card feed-card" data-testid="live-feed">
      <h2 className="card-title">Newest attributed checkouts</h2>
      {hidden ? (
        <p className="muted empty-note" data-testid="feed-hidden">
          The newest checkouts say who bought: <Link href="/signin?next=/">sign in</Link> to see
          them.
        </p>
      ) : rows.length === 0 ? (
        <p className="muted empty-note">
          Attributed checkouts appear here as the sink writes them.
        </p>
      ) : (
        <table className="table table--compact">
          <thead>
            <tr>
              <th>Time</th>
              <th>User</th>
              <th>Product</th>
              <th className="num">Amount</th>
              <th className="num">Click → checkout</th>
              <th>Row</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.checkoutId} data-testid="feed-row">
                <td>
                  <Link href={`/checkouts/${encodeURIComponent(r.checkoutId)}`}>
                    {formatClock(r.checkoutTime)}
                  </Link>
                </td>
                <td className="truncate">{r.userName || `user ${r.userId}`}</td>
                <td className="truncate">{r.productName ?? r.productId}</td>
                <td className="num">{formatMoney(r.totalAmount)}</td>
                <td className="num">
                  {r.clickTime === null
                    ? '—'
                    : formatSeconds((r.checkoutTime - r.clickTime) / 1000)}
                </td>
                <td>
                  <span className={`badge ${r.isFinal ? 'badge--ok' : 'badge--warn'}`}>
                    {r.isFinal ? 'final' : 'provisional'}
                  </span>
                  {r.isLate && <span className="badge badge--bad">late</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// The products with the most attributed revenue in the sink window, as a ranked list with bars
// (a table reads better than a chart for eight names).
import Link from 'next/link';
import type { TopProduct } from '../../lib/web/pipeline-snapshot.ts';
import { formatCount, formatMoney } from '../format.ts';

export function TopProducts({ products }: { products: TopProduct[] }) {
  const max = Math.max(1, ...products.map((p) => p.revenue));
  return (
    <section className="card" data-testid="top-products">
      <h2 className="card-title">Top products by attributed revenue</h2>
      {products.length === 0 ? (
        <p className="muted empty-note">No attributed revenue in the window yet.</p>
      ) : (
        <ol className="ranked-list">
          {products.map((p) => (
            <li key={p.productId}>
              <div className="ranked-list__row">
                <Link href={`/checkouts?product=${encodeURIComponent(p.productId)}&attributed=yes`}>
                  {p.name ?? `product ${p.productId}`}
                </Link>
                <span className="num">{formatMoney(p.revenue)}</span>
              </div>
              <div className="bar" aria-hidden="true">
                <span style={{ width: `${(p.revenue / max) * 100}%` }} />
              </div>
              <div className="muted small">{formatCount(p.checkouts)} attributed checkouts</div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

// One checkout: the row as the sink has it, the user and product, the attributed click, a
// timeline of the user's clicks on that product around it, saying why this click won, and each
// candidate click's credit under the five attribution models (when the models have covered it). The buyer,
// addresses, IP address and user agent only for the signed-in operator.
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { AttributionTimeline } from '../../../components/checkouts/AttributionTimeline.tsx';
import { CheckoutCredits } from '../../../components/checkouts/CheckoutCredits.tsx';
import { formatMoney, formatSeconds, formatTime } from '../../../components/format.ts';
import { checkoutCredits } from '../../../lib/web/attribution-queries.ts';
import { loadCheckoutExplanation } from '../../../lib/web/checkout-explanation.ts';
import { pageReaderSignedIn } from '../../../lib/web/page-reader.ts';
import { checkoutDetailFor } from '../../../lib/web/privacy.ts';
import { checkoutIdSchema } from '../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../lib/web/web-runtime.ts';

export const metadata: Metadata = { title: 'Checkout · Clickstream' };

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const roleLabel = {
  winner: 'winner',
  candidate: 'in window',
  'before-window': 'too early',
  'after-checkout': 'after checkout',
} as const;

export default async function CheckoutDetailPage({
  params,
}: {
  params: Promise<{ checkoutId: string }>;
}) {
  await connection();
  const id = checkoutIdSchema.safeParse(safeDecode((await params).checkoutId));
  if (!id.success) notFound();
  const runtime = getWebRuntime();
  const [full, credits] = await Promise.all([
    loadCheckoutExplanation(runtime.prisma(), runtime.workerUrls, id.data),
    // The page stands without the models' credits: a failed read becomes a note, not an error.
    checkoutCredits(runtime.prisma(), id.data).catch(() => null),
  ]);
  if (!full) notFound();
  const detail = checkoutDetailFor(full, await pageReaderSignedIn());
  const { checkout: c, user, product, timeline, clicksNote, workerError, personal } = detail;
  const hidden = (
    <span className="muted" data-testid="personal-hidden">
      hidden:{' '}
      <Link href={`/signin?next=${encodeURIComponent(`/checkouts/${c.checkoutId}`)}`}>sign in</Link>{' '}
      to see
    </span>
  );
  const delaySec =
    c.clickTime === null ? null : (Date.parse(c.checkoutTime) - Date.parse(c.clickTime)) / 1000;

  return (
    <>
      <p className="breadcrumbs">
        <Link href="/checkouts">← Checkouts</Link>
      </p>
      <div className="page-header">
        <h1>
          Checkout <span className="mono">{c.checkoutId}</span>
        </h1>
        <p className="lede">
          {formatMoney(c.totalAmount)}
          {personal ? ` by ${c.userName || `user ${c.userId}`}` : ''} on{' '}
          {product?.name ?? `product ${c.productId}`} at {formatTime(c.checkoutTime)}.{' '}
          <span className={`badge ${c.isFinal ? 'badge--ok' : 'badge--warn'}`}>
            {c.isFinal ? 'final' : 'provisional'}
          </span>
          {c.isLate && <span className="badge badge--bad">late</span>}
        </p>
      </div>

      <section className="card attributed-click" data-testid="attributed-click">
        <h2 className="card-title">Attributed click</h2>
        {c.clickId ? (
          <>
            <p className="big-id mono" data-testid="attributed-click-id">
              {c.clickId}
            </p>
            <p>
              at {formatTime(c.clickTime)}, {formatSeconds(delaySec)} before the checkout: the
              earliest click by this user on this product in the hour before it.
            </p>
          </>
        ) : (
          <p data-testid="attributed-click-id">
            None: this user has no click on this product in the hour before the checkout
            {c.isFinal ? '' : ' (yet: the row is provisional and a late click can still change it)'}
            .
          </p>
        )}
      </section>

      <section className="card">
        <h2 className="card-title">Why this click</h2>
        <AttributionTimeline timeline={timeline} />
        {clicksNote && (
          <p className="callout small" data-testid="clicks-note">
            {clicksNote}
            {workerError && <span className="muted"> ({workerError})</span>}
          </p>
        )}
        <table className="table table--compact">
          <thead>
            <tr>
              <th>Click</th>
              <th>Time (UTC)</th>
              <th className="num">Before checkout</th>
              <th>Verdict</th>
            </tr>
          </thead>
          <tbody>
            {timeline.clicks.map((k) => (
              <tr
                key={k.clickId}
                data-testid="timeline-click"
                data-role={k.role}
                data-source={k.source}
              >
                <td className="mono">{k.clickId}</td>
                <td className="nowrap">{formatTime(k.time).replace(' UTC', '')}</td>
                <td className="num">
                  {k.time <= timeline.checkoutTime
                    ? formatSeconds((timeline.checkoutTime - k.time) / 1000)
                    : `${formatSeconds((k.time - timeline.checkoutTime) / 1000)} after`}
                </td>
                <td>
                  <span className={`badge role role--${k.role}`}>{roleLabel[k.role]}</span>{' '}
                  {k.reason}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <CheckoutCredits
        credits={credits}
        attributed={c.clickId !== null}
        checkoutTime={c.checkoutTime}
      />

      <div className="grid-2">
        <section className="card">
          <h2 className="card-title">Checkout</h2>
          <dl className="props">
            <dt>Amount</dt>
            <dd>{formatMoney(c.totalAmount)}</dd>
            <dt>Payment</dt>
            <dd>{c.paymentMethod}</dd>
            <dt>Shipping address</dt>
            <dd data-testid="shipping-address">{c.shippingAddress ?? hidden}</dd>
            <dt>Billing address</dt>
            <dd data-testid="billing-address">{c.billingAddress ?? hidden}</dd>
            <dt>User agent</dt>
            <dd className="small" data-testid="user-agent">
              {c.userAgent ?? hidden}
            </dd>
            <dt>IP address</dt>
            <dd className="mono" data-testid="ip-address">
              {c.ipAddress ?? hidden}
            </dd>
            <dt>Row</dt>
            <dd>
              {c.isFinal ? 'final' : 'provisional'}, partition {c.partition}, first written{' '}
              {formatTime(c.firstWrittenAt)}, last written {formatTime(c.processedAt)}
            </dd>
          </dl>
        </section>
        <section className="card">
          <h2 className="card-title">User and product</h2>
          <dl className="props">
            <dt>User</dt>
            <dd data-testid="checkout-user">
              {c.userId === null ? (
                hidden
              ) : (
                <>
                  <Link href={`/checkouts?user=${encodeURIComponent(c.userId)}`}>
                    #{c.userId}
                  </Link>{' '}
                </>
              )}
              {c.userId === null ? null : c.isUnknownUser ? (
                <span className="badge badge--muted">unknown user</span>
              ) : (
                <>
                  {c.userName}
                  {user && user.username !== c.userName && (
                    <span className="muted small"> (now called {user.username})</span>
                  )}
                </>
              )}
            </dd>
            <dt>Product</dt>
            <dd>
              <Link href={`/checkouts?product=${encodeURIComponent(c.productId)}`}>
                #{c.productId}
              </Link>{' '}
              {product
                ? `${product.name}${product.price ? `, ${formatMoney(product.price)}` : ''}`
                : ''}
            </dd>
          </dl>
        </section>
      </div>
    </>
  );
}

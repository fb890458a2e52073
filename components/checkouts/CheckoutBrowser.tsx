'use client';
// The checkout browser: filters, sort and keyset pages over /api/checkouts. The URL's query
// string is the state (shareable, back/forward work); changing it uses history.pushState, which
// Next's useSearchParams follows without a server round trip, and TanStack Query fetches the
// page, keeping the previous one on screen meanwhile. Who bought is shown to the signed-in
// operator only (the API leaves it out for others), who alone may filter by user.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import type { CheckoutPage } from '../../lib/web/checkout-queries.ts';
import {
  FILTER_KEYS,
  PAGE_SIZES,
  QUERY_DEFAULTS as DEFAULTS,
  canonicalQuery,
} from '../../lib/web/checkout-query-string.ts';
import { ApiError, apiGet } from '../api-client.ts';
import { useSession } from '../auth/use-session.ts';
import { formatMoney, formatSeconds, formatTime } from '../format.ts';

type Filters = Record<(typeof FILTER_KEYS)[number], string>;

function filtersOf(params: URLSearchParams): Filters {
  return {
    user: params.get('user') ?? '',
    product: params.get('product') ?? '',
    attributed: params.get('attributed') ?? 'any',
    state: params.get('state') ?? 'any',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

export function CheckoutBrowser({
  initialQuery,
  initialPage,
}: {
  initialQuery: string;
  initialPage: CheckoutPage | null;
}) {
  const searchParams = useSearchParams();
  const query = canonicalQuery(new URLSearchParams(searchParams.toString()));
  const [draft, setDraft] = useState<Filters>(() => filtersOf(new URLSearchParams(query)));
  const session = useSession();
  // Until the browser knows, it trusts the server's view of the first page.
  const signedIn = session.data ? session.data.signedIn : initialPage?.personal === true;

  // Back/forward changes the URL under us: the form follows.
  useEffect(() => setDraft(filtersOf(new URLSearchParams(query))), [query]);

  const page = useQuery({
    queryKey: ['checkouts', query, signedIn],
    queryFn: () => apiGet<CheckoutPage>(`/api/checkouts${query ? `?${query}` : ''}`),
    initialData:
      query === initialQuery && initialPage && initialPage.personal === signedIn
        ? initialPage
        : undefined,
    placeholderData: keepPreviousData,
    staleTime: 2_000,
  });

  function navigate(changes: Record<string, string | undefined>, keepCursor = false) {
    const next = new URLSearchParams(query);
    if (!keepCursor) {
      next.delete('after');
      next.delete('before');
    }
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    const qs = canonicalQuery(next);
    window.history.pushState(null, '', qs ? `?${qs}` : window.location.pathname);
  }

  function applyFilters(event: FormEvent) {
    event.preventDefault();
    navigate({ ...draft });
  }

  const sort = searchParams.get('sort') === 'asc' ? 'asc' : 'desc';
  const limit = searchParams.get('limit') ?? '50';
  const data = page.data;
  const hasFilters = FILTER_KEYS.some(
    (k) => searchParams.get(k) && searchParams.get(k) !== DEFAULTS[k],
  );
  const set = (key: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));

  return (
    <>
      <form className="card filters" onSubmit={applyFilters} aria-label="Filters">
        <label className="field">
          <span className="field__label">User</span>
          <input
            name="user"
            value={draft.user}
            onChange={set('user')}
            placeholder={signedIn ? 'id or name' : 'sign in to filter by user'}
            disabled={!signedIn}
          />
        </label>
        <label className="field">
          <span className="field__label">Product id</span>
          <input
            name="product"
            value={draft.product}
            onChange={set('product')}
            placeholder="e.g. 7"
          />
        </label>
        <label className="field">
          <span className="field__label">Attributed</span>
          <select name="attributed" value={draft.attributed} onChange={set('attributed')}>
            <option value="any">any</option>
            <option value="yes">attributed</option>
            <option value="no">unattributed</option>
          </select>
        </label>
        <label className="field">
          <span className="field__label">Row</span>
          <select name="state" value={draft.state} onChange={set('state')}>
            <option value="any">any</option>
            <option value="provisional">provisional</option>
            <option value="final">final</option>
          </select>
        </label>
        <label className="field">
          <span className="field__label">From (UTC)</span>
          <input
            type="datetime-local"
            step="1"
            name="from"
            value={draft.from}
            onChange={set('from')}
          />
        </label>
        <label className="field">
          <span className="field__label">To (UTC)</span>
          <input type="datetime-local" step="1" name="to" value={draft.to} onChange={set('to')} />
        </label>
        <div className="filters__actions">
          <button type="submit" className="button">
            Apply
          </button>
          {hasFilters && (
            <button
              type="button"
              className="button button--secondary"
              onClick={() => navigate(Object.fromEntries(FILTER_KEYS.map((k) => [k, undefined])))}
            >
              Clear
            </button>
          )}
        </div>
      </form>

      {page.error && (
        <div className="callout callout--bad" role="alert" data-testid="browser-error">
          {page.error instanceof ApiError ? page.error.message : String(page.error)}
        </div>
      )}

      <section className="card table-card" aria-busy={page.isFetching}>
        <table className="table table--checkouts" data-testid="checkout-table">
          {/* Fixed layout: the fixed columns keep their width, the three text columns share the
              rest and cut long names with an ellipsis, so "Row" never leaves the card. */}
          <colgroup>
            <col className="col--time" />
            <col />
            <col />
            <col className="col--amount" />
            <col />
            <col className="col--delay" />
            <col className="col--row" />
          </colgroup>
          <thead>
            <tr>
              <th>
                <button
                  type="button"
                  className="sort-button"
                  onClick={() => navigate({ sort: sort === 'desc' ? 'asc' : 'desc' })}
                  aria-label={`Sort by time, ${sort === 'desc' ? 'oldest' : 'newest'} first`}
                  data-testid="sort-time"
                >
                  Checkout time (UTC) {sort === 'desc' ? '↓' : '↑'}
                </button>
              </th>
              <th>User</th>
              <th>Product</th>
              <th className="num">Amount</th>
              <th>Attributed click</th>
              <th className="num">Click → checkout</th>
              <th>Row</th>
            </tr>
          </thead>
          <tbody>
            {data?.rows.map((r) => (
              <tr key={r.checkoutId} data-testid="checkout-row" data-checkout-id={r.checkoutId}>
                <td className="nowrap">
                  <Link href={`/checkouts/${encodeURIComponent(r.checkoutId)}`}>
                    {formatTime(r.checkoutTime).replace(' UTC', '')}
                  </Link>
                </td>
                {r.userId === null ? (
                  <td className="muted small" title="Sign in to see who bought">
                    hidden
                  </td>
                ) : (
                  <td className="truncate" title={`user ${r.userId}`}>
                    {r.userName || <span className="muted">unknown</span>}{' '}
                    <span className="muted small">#{r.userId}</span>
                  </td>
                )}
                <td className="truncate" title={`product ${r.productId}`}>
                  {r.productName ?? r.productId}
                </td>
                <td className="num">{formatMoney(r.totalAmount)}</td>
                <td className="mono truncate" title={r.clickId ?? undefined}>
                  {r.clickId ?? <span className="muted">none</span>}
                </td>
                <td className="num">
                  {r.clickTime
                    ? formatSeconds((Date.parse(r.checkoutTime) - Date.parse(r.clickTime)) / 1000)
                    : '—'}
                </td>
                <td className="badges">
                  <span className={`badge ${r.isFinal ? 'badge--ok' : 'badge--warn'}`}>
                    {r.isFinal ? 'final' : 'provisional'}
                  </span>
                  {r.isLate && <span className="badge badge--bad">late</span>}
                  {r.isUnknownUser && <span className="badge badge--muted">unknown user</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.rows.length === 0 && (
          <p className="muted empty-note" data-testid="no-rows">
            {hasFilters
              ? 'No checkout matches these filters.'
              : 'No checkouts yet: start the simulator and they appear here within seconds.'}
          </p>
        )}
        <div className="pager">
          <label className="field field--inline">
            <span className="field__label">Rows per page</span>
            <select
              name="limit"
              value={limit}
              onChange={(e) => navigate({ limit: e.target.value })}
              data-testid="page-size"
            >
              {PAGE_SIZES.map((n) => (
                <option key={n} value={String(n)}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <div className="pager__buttons">
            <button
              type="button"
              className="button button--secondary"
              disabled={!data?.prevCursor}
              onClick={() =>
                data?.prevCursor && navigate({ before: data.prevCursor, after: undefined }, true)
              }
            >
              ← Previous
            </button>
            <button
              type="button"
              className="button button--secondary"
              disabled={!data?.nextCursor}
              onClick={() =>
                data?.nextCursor && navigate({ after: data.nextCursor, before: undefined }, true)
              }
            >
              Next →
            </button>
          </div>
        </div>
      </section>
    </>
  );
}

'use client';
// The dead-letter store: newest first, searchable by reason or payload text, filterable by
// topic, paged by id. Each row shows the reason and a preview of the raw payload, expandable.
// Signed-in only: the payloads carry the events' personal data.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { DeadLetterPage } from '../../lib/web/dead-letter-queries.ts';
import { apiGet } from '../api-client.ts';
import { useSession } from '../auth/use-session.ts';
import { ErrorCallout } from './ErrorCallout.tsx';
import { formatBytes, formatCount, formatTime } from '../format.ts';

const PAGE_SIZE = 25;

export function DeadLetters() {
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState({ q: '', topic: '' });
  // Cursors of the pages seen, so "Newer" can go back without an offset query.
  const [cursors, setCursors] = useState<string[]>([]);
  const before = cursors.at(-1);

  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.q) params.set('q', filters.q);
  if (filters.topic) params.set('topic', filters.topic);
  if (before) params.set('before', before);
  const query = params.toString();
  const session = useSession();
  const signedIn = session.data?.signedIn === true;

  const page = useQuery({
    enabled: signedIn,
    queryKey: ['dead-letters', query],
    queryFn: () => apiGet<DeadLetterPage>(`/api/admin/dead-letters?${query}`),
    placeholderData: keepPreviousData,
    refetchInterval: before ? false : 5_000,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setCursors([]);
    setFilters((f) => ({ ...f, q: search.trim() }));
  }

  const data = page.data;
  if (!signedIn) {
    return (
      <section className="card" data-testid="dead-letters">
        <h3 className="card-title">Dead letters</h3>
        <p className="muted" data-testid="dead-letters-hidden">
          Refused messages keep their raw payloads, which hold personal data: sign in (above) to
          read and search them. Counts by reason are under Pipeline health.
        </p>
      </section>
    );
  }
  return (
    <section className="card" data-testid="dead-letters">
      <div className="card-title-row">
        <h3 className="card-title">
          Dead letters{' '}
          {data && (
            <span className="muted small" data-testid="dead-letter-total">
              {data.total.capped ? 'at least ' : ''}
              {formatCount(data.total.count)} {filters.q || filters.topic ? 'matching' : 'stored'}
            </span>
          )}
        </h3>
      </div>
      <form className="filters filters--inline" onSubmit={submit} role="search">
        <label className="field">
          <span className="field__label">Search reason or payload</span>
          <input
            name="q"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            minLength={3}
            placeholder="e.g. datetime_occured"
          />
        </label>
        <label className="field">
          <span className="field__label">Topic</span>
          <select
            name="topic"
            value={filters.topic}
            onChange={(e) => {
              setCursors([]);
              setFilters((f) => ({ ...f, topic: e.target.value }));
            }}
          >
            <option value="">all</option>
            {data?.topics.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <div className="filters__actions">
          <button type="submit" className="button">
            Search
          </button>
        </div>
      </form>
      <ErrorCallout error={page.error} />
      {data && data.rows.length === 0 ? (
        <p className="muted empty-note">
          {filters.q || filters.topic
            ? 'No dead letter matches.'
            : 'No dead letters: every message so far was valid. Set a malformed share in the simulator to see some.'}
        </p>
      ) : (
        <table className="table table--compact" data-testid="dead-letter-table">
          <thead>
            <tr>
              <th>Received (UTC)</th>
              <th>Source</th>
              <th>Reason</th>
              <th>Raw payload</th>
            </tr>
          </thead>
          <tbody>
            {data?.rows.map((d) => (
              <tr key={d.id} data-testid="dead-letter-row">
                <td className="nowrap">{formatTime(d.receivedAt).replace(' UTC', '')}</td>
                <td className="mono nowrap">
                  {d.topic}/{d.partition}@{d.offset}
                </td>
                <td>{d.reason}</td>
                <td className="payload">
                  <details>
                    <summary className="mono">
                      {d.preview.slice(0, 80)}
                      {d.preview.length > 80 || d.truncated ? '…' : ''}
                    </summary>
                    <pre>
                      {d.preview}
                      {d.truncated && `\n… (${formatBytes(d.sizeBytes)} in all)`}
                    </pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <span className="muted small">{page.isFetching ? 'loading…' : ''}</span>
        <div className="pager__buttons">
          <button
            type="button"
            className="button button--secondary"
            disabled={cursors.length === 0}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            ← Newer
          </button>
          <button
            type="button"
            className="button button--secondary"
            disabled={!data?.nextBefore}
            onClick={() => data?.nextBefore && setCursors((c) => [...c, data.nextBefore!])}
          >
            Older →
          </button>
        </div>
      </div>
    </section>
  );
}

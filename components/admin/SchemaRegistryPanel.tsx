'use client';
// The schema registry as the pipeline uses it: each subject with its compatibility level and its
// versions (registry id and fields), and the messages the workers have read per topic, encoding
// and writer schema version, as a table and a small bar chart. A registry that is down or not
// configured is said plainly; the counts still show, by raw schema id.
import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SchemaMessageCount } from '../../lib/web/schema-message-counts.ts';
import type { SchemaPanel } from '../../lib/web/schema-panel.ts';
import { apiGet } from '../api-client.ts';
import { formatCount } from '../format.ts';
import { ErrorCallout } from './ErrorCallout.tsx';

/** How a count's writer schema reads: "clicks-value v2 (id 12)", "JSON", or "id 99 (unknown)". */
export function schemaLabel(c: SchemaMessageCount): string {
  if (c.schemaId === null) return 'JSON';
  if (c.subject === null) return `id ${c.schemaId} (not in the registry)`;
  return `${c.subject} v${c.version} (id ${c.schemaId})`;
}

function RegistryState({ registry }: { registry: SchemaPanel['registry'] }) {
  if (registry.state === 'not_configured') {
    return (
      <p className="muted empty-note" data-testid="schema-registry-missing">
        No schema registry configured (SCHEMA_REGISTRY_URL): Avro messages are dead letters.
      </p>
    );
  }
  if (registry.state === 'down') {
    return (
      <div className="callout callout--bad" role="alert" data-testid="schema-registry-down">
        Schema registry unavailable{registry.url ? ` at ${registry.url}` : ''}: {registry.error}.
        Workers retry Avro messages until it answers.
      </div>
    );
  }
  if (registry.subjects.length === 0)
    return <p className="muted empty-note">The registry holds no subject yet.</p>;
  return (
    <table className="table table--compact" data-testid="schema-subjects">
      <thead>
        <tr>
          <th>Subject</th>
          <th>Compatibility</th>
          <th className="num">Version</th>
          <th className="num">Id</th>
          <th>Fields</th>
        </tr>
      </thead>
      <tbody>
        {registry.subjects.flatMap((s) =>
          s.versions.map((v, i) => (
            <tr key={`${s.subject}/${v.version}`} data-subject={s.subject} data-version={v.version}>
              <td className="mono">{i === 0 ? s.subject : ''}</td>
              <td>{i === 0 ? (s.compatibility ?? '—') : ''}</td>
              <td className="num">v{v.version}</td>
              <td className="num">{v.id}</td>
              <td className="small mono">{v.fields.join(', ')}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}

function MessageCounts({ counts }: { counts: SchemaMessageCount[] }) {
  if (counts.length === 0) {
    return (
      <p className="muted empty-note" data-testid="schema-counts-empty">
        No message counted yet (the workers count what their repartitioners read since they
        started).
      </p>
    );
  }
  const chart = counts.map((c) => ({
    label: `${c.topic}: ${schemaLabel(c)}`,
    messages: c.messages,
  }));
  return (
    <>
      <table className="table table--compact" data-testid="schema-counts">
        <thead>
          <tr>
            <th>Topic</th>
            <th>Encoding</th>
            <th>Writer schema</th>
            <th className="num">Messages</th>
          </tr>
        </thead>
        <tbody>
          {counts.map((c) => (
            <tr
              key={`${c.topic}/${c.encoding}/${c.schemaId ?? ''}`}
              data-topic={c.topic}
              data-encoding={c.encoding}
              data-schema-id={c.schemaId ?? ''}
              data-version={c.version ?? ''}
            >
              <td className="mono">{c.topic}</td>
              <td>{c.encoding}</td>
              <td className="mono">{schemaLabel(c)}</td>
              <td className="num">{formatCount(c.messages)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ResponsiveContainer width="100%" height={24 + 26 * chart.length}>
        <BarChart data={chart} layout="vertical" margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
          <XAxis
            type="number"
            tick={{ fontSize: 11, fill: '#5f6b7a' }}
            allowDecimals={false}
            tickFormatter={(v: number) => formatCount(v)}
          />
          <YAxis
            type="category"
            dataKey="label"
            width={260}
            tick={{ fontSize: 11, fill: '#5f6b7a' }}
            interval={0}
          />
          <Tooltip formatter={(value) => [formatCount(Number(value)), 'messages']} />
          <Bar dataKey="messages" fill="#2b6cb0" isAnimationActive={false} radius={[0, 2, 2, 0]} />
        </BarChart>
      </ResponsiveContainer>
    </>
  );
}

export function SchemaRegistryPanel() {
  const panel = useQuery({
    queryKey: ['admin-schemas'],
    queryFn: () => apiGet<SchemaPanel>('/api/admin/schemas'),
    refetchInterval: 5_000,
  });
  return (
    <section className="card" data-testid="schema-panel">
      <h3 className="card-title">Schema registry</h3>
      <ErrorCallout error={panel.error} />
      {panel.data ? (
        <>
          <RegistryState registry={panel.data.registry} />
          <h4 className="card-title">Messages read per writer schema</h4>
          <MessageCounts counts={panel.data.counts} />
          <p className="small muted">
            Counted by {panel.data.workers.up} of {panel.data.workers.total} worker(s) answering.
          </p>
        </>
      ) : (
        !panel.error && <p className="muted">Reading the registry…</p>
      )}
    </section>
  );
}

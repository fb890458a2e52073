// Messages per topic, encoding and writer schema that the workers' repartitioners have read: the
// `clickstream_messages_by_schema_total{topic,encoding,schema_id}` counter of every worker,
// summed, with each Avro schema id resolved to the subject and version the registry gives it.
// Pure: the scrapes and the registry's id index come in.
import type { MetricSample } from './metric-samples.ts';

export const MESSAGES_BY_SCHEMA = 'clickstream_messages_by_schema_total';

export interface SchemaMessageCount {
  topic: string;
  encoding: string;
  /** The registry id in the frame; null for JSON. */
  schemaId: number | null;
  /** Where the registry has the id: null for JSON, or an id the registry did not list. */
  subject: string | null;
  version: number | null;
  messages: number;
}

/** Sums the counter over workers, one row per (topic, encoding, schema id), biggest first. */
export function schemaMessageCounts(
  workers: readonly (readonly MetricSample[])[],
  ids: ReadonlyMap<number, { subject: string; version: number }>,
): SchemaMessageCount[] {
  const rows = new Map<string, SchemaMessageCount>();
  for (const samples of workers) {
    for (const s of samples) {
      if (s.name !== MESSAGES_BY_SCHEMA) continue;
      const topic = s.labels.topic ?? '';
      const encoding = s.labels.encoding ?? '';
      const raw = s.labels.schema_id ?? '';
      const schemaId = raw === '' || !/^\d+$/.test(raw) ? null : Number(raw);
      const key = `${topic}\u0000${encoding}\u0000${raw}`;
      let row = rows.get(key);
      if (!row) {
        const where = schemaId === null ? undefined : ids.get(schemaId);
        row = {
          topic,
          encoding,
          schemaId,
          subject: where?.subject ?? null,
          version: where?.version ?? null,
          messages: 0,
        };
        rows.set(key, row);
      }
      row.messages += s.value;
    }
  }
  return [...rows.values()].sort(
    (a, b) =>
      b.messages - a.messages ||
      a.topic.localeCompare(b.topic) ||
      (a.schemaId ?? -1) - (b.schemaId ?? -1),
  );
}

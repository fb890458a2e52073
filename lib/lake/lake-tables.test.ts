import { describe, expect, it } from 'vitest';
import { LAKE_TABLES, lakeTable, offsetAppId, parseOffsetAppId } from './lake-tables.ts';

// The contract with the dbt models (docs/lake.md): names, types and nullability, in order.
const CONTRACT: Record<string, string> = {
  clicks:
    'click_id string!, user_id long!, product_id string!, product string!, price double!, url string!, user_agent string!, ip_address string!, event_time timestamp!, event_date date!, kafka_topic string!, kafka_partition integer!, kafka_offset long!, ingested_at timestamp!',
  checkouts:
    'checkout_id string!, user_id long!, product_id string!, payment_method string!, total_amount decimal(38,2)!, shipping_address string!, billing_address string!, user_agent string!, ip_address string!, event_time timestamp!, event_date date!, kafka_topic string!, kafka_partition integer!, kafka_offset long!, ingested_at timestamp!',
  dead_letters:
    'topic string!, partition integer!, offset long!, raw binary!, reason string!, ingested_at timestamp!, ingest_date date!',
  users:
    'user_id long!, username string!, valid_from timestamp!, valid_to timestamp, is_current boolean!',
  speed_attributed_checkouts:
    'checkout_id string!, user_id long!, user_name string!, click_id string, product_id string!, total_amount decimal(38,2)!, checkout_time timestamp!, click_time timestamp, is_final boolean!, is_unknown_user boolean!, is_late boolean!, snapshot_at timestamp!',
};

describe('lake table contract', () => {
  it.each(Object.entries(CONTRACT))('%s has exactly the contract columns', (name, columns) => {
    const t = lakeTable(name);
    expect(
      t.schema.fields.map((f) => `${f.name} ${f.type}${f.nullable ? '' : '!'}`).join(', '),
    ).toBe(columns);
  });

  it('partitions by event date, dead letters by ingest date, reference tables not at all', () => {
    expect(Object.fromEntries(LAKE_TABLES.map((t) => [t.name, t.partitionColumns]))).toEqual({
      clicks: ['event_date'],
      checkouts: ['event_date'],
      dead_letters: ['ingest_date'],
      users: [],
      speed_attributed_checkouts: [],
    });
  });

  it('names only stored columns as plain (an unknown name would silently keep the dictionary)', () => {
    for (const t of LAKE_TABLES) {
      const stored = t.schema.fields
        .map((f) => f.name)
        .filter((n) => !t.partitionColumns.includes(n));
      for (const c of t.plainColumns ?? []) expect(stored, `${t.name}.${c}`).toContain(c);
    }
  });

  it('names offsets per topic-partition, topic names with colons included', () => {
    expect(parseOffsetAppId(offsetAppId('a:b', 3))).toEqual({ topic: 'a:b', partition: 3 });
    expect(parseOffsetAppId('other-app')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { MESSAGES_BY_SCHEMA, schemaMessageCounts } from './schema-message-counts.ts';
import { recordFields, schemaIdIndex } from './schema-registry-reader.ts';

const sample = (topic: string, encoding: string, schemaId: string, value: number) => ({
  name: MESSAGES_BY_SCHEMA,
  labels: { topic, encoding, schema_id: schemaId },
  value,
});

describe('messages per schema version', () => {
  const ids = schemaIdIndex([
    {
      subject: 'clicks-value',
      compatibility: 'FULL_TRANSITIVE',
      versions: [
        { version: 1, id: 11, fields: [] },
        { version: 2, id: 12, fields: [] },
      ],
    },
  ]);

  it('sums every worker per topic, encoding and schema id, and names the subject version', () => {
    const counts = schemaMessageCounts(
      [
        [
          sample('clicks', 'avro', '11', 5),
          sample('clicks', 'json', '', 7),
          { name: 'other_total', labels: {}, value: 99 },
        ],
        [sample('clicks', 'avro', '11', 3), sample('clicks', 'avro', '12', 2)],
      ],
      ids,
    );
    expect(counts).toEqual([
      {
        topic: 'clicks',
        encoding: 'avro',
        schemaId: 11,
        subject: 'clicks-value',
        version: 1,
        messages: 8,
      },
      {
        topic: 'clicks',
        encoding: 'json',
        schemaId: null,
        subject: null,
        version: null,
        messages: 7,
      },
      {
        topic: 'clicks',
        encoding: 'avro',
        schemaId: 12,
        subject: 'clicks-value',
        version: 2,
        messages: 2,
      },
    ]);
  });

  it('keeps an id the registry does not list, without a subject', () => {
    expect(schemaMessageCounts([[sample('clicks', 'avro', '99', 1)]], ids)[0]).toMatchObject({
      schemaId: 99,
      subject: null,
      version: null,
    });
  });

  it('reads the field names of a record schema, nothing of anything else', () => {
    expect(
      recordFields('{"type":"record","name":"A","fields":[{"name":"x","type":"long"}]}'),
    ).toEqual(['x']);
    expect(recordFields('"string"')).toEqual([]);
    expect(recordFields('not json')).toEqual([]);
  });
});

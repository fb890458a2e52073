import { describe, expect, it } from 'vitest';
import { formatIssues } from './schemas.ts';
import { clickSchemaRegistrationSchema, wireFormatSchema } from './simulator-wire-schemas.ts';

const problem = (result: { success: boolean; error?: Parameters<typeof formatIssues>[0] }) =>
  result.success ? 'ok' : formatIssues(result.error!);

describe('simulator wire-format input', () => {
  it('takes JSON or Avro with click schema v1 (default) or v2', () => {
    expect(wireFormatSchema.parse({ encoding: 'avro', clickSchema: 'v2' })).toEqual({
      encoding: 'avro',
      clickSchema: 'v2',
    });
    expect(wireFormatSchema.parse({ encoding: 'json' })).toEqual({
      encoding: 'json',
      clickSchema: 'v1',
    });
  });

  it.each([
    [{ encoding: 'protobuf' }, 'encoding: unknown encoding "protobuf": expected one of json, avro'],
    [
      { encoding: 'avro', clickSchema: 'v3' },
      'clickSchema: unknown click schema version "v3": expected one of v1, v2',
    ],
    [{ encoding: 'avro', extra: 1 }, 'Unrecognized key: "extra"'],
  ])('refuses %j with a message', (body, message) => {
    expect(problem(wireFormatSchema.safeParse(body))).toContain(message);
  });

  it('lets v3 be tried for registration, nothing unknown', () => {
    expect(clickSchemaRegistrationSchema.parse({ clickSchema: 'v3' })).toEqual({
      clickSchema: 'v3',
    });
    expect(problem(clickSchemaRegistrationSchema.safeParse({ clickSchema: 'v9' }))).toBe(
      'clickSchema: unknown click schema version "v9": expected one of v1, v2, v3',
    );
  });
});

import { parse } from 'dotenv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envFileValue, formatEnvFile } from './env-file.ts';

describe('formatEnvFile', () => {
  it('writes values dotenv.parse reads back unchanged', () => {
    const values = {
      DATABASE_URL: 'postgresql://clickstream_web:a#b=c@127.0.0.1:54329/clickstream',
      WITH_HASH: 'before # after',
      HASH_NO_SPACE: 'a#b',
      SINGLE: "it's",
      DOUBLE: 'say "hi"',
      BOTH: `it's "quoted"`,
      EQUALS: 'a=b==',
      SPACES: '  padded  ',
      EMPTY: '',
      BACKSLASH_N: 'C:\\new',
      ADMIN_TOKEN: 'Zm9vYmFyYmF6cXV4cXV1eA',
    };
    const text = formatEnvFile(values, ['Written by a test.']);
    expect(text.startsWith('# Written by a test.\n')).toBe(true);
    expect(parse(text)).toEqual(values);
  });

  it('leaves plain values bare', () => {
    expect(formatEnvFile({ KAFKA_BROKERS: '127.0.0.1:9092', LAKE_URI: 's3://b/p' })).toBe(
      'KAFKA_BROKERS=127.0.0.1:9092\nLAKE_URI=s3://b/p\n',
    );
  });

  it('round-trips any one-line value it accepts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (value) => {
        let text: string;
        try {
          text = formatEnvFile({ KEY: value });
        } catch {
          return; // refused, never written wrong
        }
        expect(parse(text)).toEqual({ KEY: value });
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what dotenv could not read back', () => {
    expect(() => envFileValue('a\nb')).toThrow(/line break/);
    expect(() => envFileValue(`' " \``)).toThrow(/cannot read/);
    expect(() => formatEnvFile({ 'NOT-A-NAME': 'x' })).toThrow(/not an env variable name/);
  });
});

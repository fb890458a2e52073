import { describe, expect, it } from 'vitest';
import { MAX_REASON_CHARS, storableReason } from './dead-letters.ts';

describe('storableReason', () => {
  it('shows U+0000 as text, since PostgreSQL text cannot hold it', () => {
    expect(storableReason('invalid_json: Unexpected token \u0000')).toBe(
      'invalid_json: Unexpected token \\u0000',
    );
  });

  it('replaces lone surrogates, which would not encode as UTF-8', () => {
    expect(storableReason('a\uD800b\uDC00c')).toBe('a\uFFFDb\uFFFDc');
    expect(storableReason('pair \uD83D\uDE00 kept')).toBe('pair \uD83D\uDE00 kept');
  });

  it('cuts long reasons, never inside a surrogate pair', () => {
    const long = `${'x'.repeat(MAX_REASON_CHARS - 2)}\uD83D\uDE00 and more`;
    const stored = storableReason(long);
    expect(stored.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
    expect(stored.endsWith('…')).toBe(true);
    expect(Buffer.from(stored).toString()).toBe(stored); // valid UTF-16, so valid UTF-8
    expect(stored).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('leaves an ordinary reason alone', () => {
    expect(storableReason('missing_field: user_id')).toBe('missing_field: user_id');
  });
});

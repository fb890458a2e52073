import { describe, expect, it } from 'vitest';
import { percentEscapesDecode } from './gateway.ts';

describe('percentEscapesDecode', () => {
  it.each(['/api/checkouts/%ff', '/api/checkouts/%ED%A0%80', '/x/%E0%A4%A', '/x/%', '/x/%zz'])(
    'refuses %s: an escape cut short, or bytes that are not UTF-8',
    (path) => expect(percentEscapesDecode(path)).toBe(false),
  );

  it.each(['/', '/api/checkouts/a%20b', '/checkouts/%F0%9F%98%80', '/dbt-docs/index.html'])(
    'takes %s',
    (path) => expect(percentEscapesDecode(path)).toBe(true),
  );
});

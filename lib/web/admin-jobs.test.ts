// The admin job APIs' pure parts: which table names and versions the lake routes accept. (Who
// may start a job: lib/web/auth.test.ts; the models' warehouse path: workers/models/.)
import { describe, expect, it } from 'vitest';
import { deltaVersionSchema, jobRunIdSchema, lakeTableSchema } from './admin-job-schemas.ts';

describe('lake route inputs', () => {
  it('accepts the lake tables and refuses anything else', () => {
    for (const t of ['clicks', 'checkouts', 'dead_letters', 'users', 'speed_attributed_checkouts'])
      expect(lakeTableSchema.safeParse(t).success).toBe(true);
    for (const t of ['Clicks', '../clicks', '', '_delta_log'])
      expect(lakeTableSchema.safeParse(t).success).toBe(false);
  });

  it('reads Delta versions as non-negative integers', () => {
    expect(deltaVersionSchema.parse('0')).toBe(0);
    expect(deltaVersionSchema.parse('42')).toBe(42);
    for (const v of ['-1', '1.5', 'x', '', '1e3', '12345678901'])
      expect(deltaVersionSchema.safeParse(v).success).toBe(false);
  });

  it('takes run ids as UUIDs only', () => {
    expect(jobRunIdSchema.safeParse('7d4a0184-f428-4dc9-bfa3-fa396879d636').success).toBe(true);
    expect(jobRunIdSchema.safeParse('7d4a0184').success).toBe(false);
  });
});

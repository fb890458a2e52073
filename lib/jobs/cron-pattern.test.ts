import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.ts';
import { cronProblem } from './cron-pattern.ts';

describe('LAKE_EXPORT_CRON', () => {
  it('accepts cron expressions croner reads, in UTC', () => {
    for (const pattern of ['0 2 * * *', '*/15 * * * *', '0 0 2 * * 1-5', '@daily'])
      expect(cronProblem(pattern)).toBeNull();
    expect(parseConfig({ LAKE_EXPORT_CRON: '30 3 * * *' }).LAKE_EXPORT_CRON).toBe('30 3 * * *');
  });

  it('refuses an invalid expression when the config is parsed, naming the variable', () => {
    expect(cronProblem('0 25 * * *')).toMatch(/hour/);
    expect(() => parseConfig({ LAKE_EXPORT_CRON: '0 25 * * *' })).toThrow(
      /LAKE_EXPORT_CRON="0 25 \* \* \*": expected a cron expression \(.*hour: 25\)/,
    );
    expect(() => parseConfig({ LAKE_EXPORT_CRON: 'every day' })).toThrow(/LAKE_EXPORT_CRON/);
  });
});

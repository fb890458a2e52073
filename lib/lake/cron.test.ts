import { describe, expect, it } from 'vitest';
import { CronError, nextCronTime, parseCron } from './cron.ts';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, from: string) =>
  new Date(nextCronTime(parseCron(expr), at(from))).toISOString();

describe('cron', () => {
  it.each([
    ['0 2 * * *', '2024-05-01T01:59:00Z', '2024-05-01T02:00:00.000Z'],
    ['0 2 * * *', '2024-05-01T02:00:00Z', '2024-05-02T02:00:00.000Z'],
    ['*/15 * * * *', '2024-05-01T10:07:30Z', '2024-05-01T10:15:00.000Z'],
    ['30 9 * * MON-FRI', '2024-05-03T10:00:00Z', '2024-05-06T09:30:00.000Z'],
    ['0 0 29 2 *', '2024-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['0 0 1,15 * *', '2024-05-02T00:00:00Z', '2024-05-15T00:00:00.000Z'],
    ['0 12 * JAN,jul 7', '2024-05-01T00:00:00Z', '2024-07-07T12:00:00.000Z'],
    ['@daily', '2024-12-31T23:59:59Z', '2025-01-01T00:00:00.000Z'],
    ['@hourly', '2024-01-01T00:00:00Z', '2024-01-01T01:00:00.000Z'],
  ])('"%s" after %s runs at %s', (expr, from, expected) => expect(next(expr, from)).toBe(expected));

  it('matches a day if either restricted day field matches', () => {
    // the 13th, or any Friday
    expect(next('0 0 13 * 5', '2024-05-01T00:00:00Z')).toBe('2024-05-03T00:00:00.000Z');
    expect(next('0 0 13 * 5', '2024-05-11T00:00:00Z')).toBe('2024-05-13T00:00:00.000Z');
  });

  it.each(['0 2 * *', '60 * * * *', '0 2 * * 8', '*/0 * * * *', '5-1 * * * *', 'x * * * *'])(
    'rejects "%s" with a message',
    (expr) => expect(() => parseCron(expr)).toThrow(CronError),
  );

  it('says so when an expression never matches', () => {
    expect(() => nextCronTime(parseCron('0 0 31 2 *'), 0)).toThrow(/never matches/);
  });
});

import { logLevel, type LogEntry } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { effectiveLevel, formatKafkaLogEntry, parseBrokers } from './client.ts';

const entry = (
  namespace: string,
  level: logLevel,
  message: string,
  extra: object = {},
): LogEntry => ({
  namespace,
  level,
  label: '',
  log: { timestamp: '2026-01-01T00:00:00.000Z', message, ...extra },
});

describe('parseBrokers', () => {
  it.each([
    ['127.0.0.1:9092', ['127.0.0.1:9092']],
    ['a:1, b:2,', ['a:1', 'b:2']],
    [
      ['a:1', ' b:2 '],
      ['a:1', 'b:2'],
    ],
  ])('%j -> %j', (input, expected) => {
    expect(parseBrokers(input)).toEqual(expected);
  });

  it('refuses an empty list', () => {
    expect(() => parseBrokers(' , ')).toThrow(/no Kafka brokers/);
  });
});

describe('kafkajs log lines', () => {
  it('formats one line with the extra fields as JSON', () => {
    const line = formatKafkaLogEntry(
      entry('Consumer', logLevel.WARN, 'Crash', { groupId: 'g', retry: 2 }),
    );
    expect(line).toBe(
      '2026-01-01T00:00:00.000Z WARN kafkajs[Consumer] Crash {"groupId":"g","retry":2}',
    );
    expect(line).not.toContain('\n');
  });

  it('demotes routine retried broker answers to INFO', () => {
    const rebalance = entry(
      'Connection',
      logLevel.ERROR,
      'Response JoinGroup(key: 11, version: 5)',
      {
        error: 'The group is rebalancing, so a rejoin is needed',
      },
    );
    expect(effectiveLevel(rebalance)).toBe(logLevel.INFO);
  });

  it.each([
    entry('Connection', logLevel.ERROR, 'Response Produce(key: 0, version: 7)', {
      error: 'This server does not host this topic-partition',
    }),
    entry('Consumer', logLevel.ERROR, 'Response from somewhere', {
      error: 'The group is rebalancing, so a rejoin is needed',
    }),
    entry('Connection', logLevel.ERROR, 'Connection error: ECONNREFUSED'),
  ])('keeps other errors at ERROR (%#)', (e) => {
    expect(effectiveLevel(e)).toBe(logLevel.ERROR);
  });
});

import { logLevel, type LogEntry } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../log.ts';
import { effectiveLevel, kafkaLogCreator, parseBrokers, type KafkaLogLevel } from './client.ts';

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

/** kafkajs entries through kafkaLogCreator into a logger at `level`; the records it wrote. */
function logThrough(level: LogLevel, entries: LogEntry[], floor?: KafkaLogLevel) {
  const records: Record<string, unknown>[] = [];
  const log = createLogger({
    level,
    destination: { write: (line) => records.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const write = kafkaLogCreator(log, floor)(logLevel.DEBUG);
  for (const e of entries) write(e);
  return records;
}

describe('kafkajs logs', () => {
  it('become records with the message, the namespace and the extra fields', () => {
    const records = logThrough('info', [
      entry('Consumer', logLevel.WARN, 'Crash', { groupId: 'g', retry: 2, logger: 'kafkajs' }),
    ]);
    expect(records).toEqual([
      expect.objectContaining({
        level: 'warn',
        namespace: 'Consumer',
        msg: 'Crash',
        groupId: 'g',
        retry: 2,
      }),
    ]);
    expect(records[0]).not.toHaveProperty('logger');
    expect(records[0]).not.toHaveProperty('timestamp');
  });

  const joined = entry('ConsumerGroup', logLevel.INFO, 'Consumer has joined the group');
  const request = entry('Connection', logLevel.DEBUG, 'Request Fetch(key: 1, version: 11)');
  const rebalance = entry('Connection', logLevel.ERROR, 'Response JoinGroup(key: 11, version: 5)', {
    error: 'The group is rebalancing, so a rejoin is needed',
  });
  const refused = entry('Connection', logLevel.ERROR, 'Connection error: ECONNREFUSED');

  it('show kafkajs INFO (and routine retried answers) only at LOG_LEVEL=debug, never its DEBUG', () => {
    const all = [joined, request, rebalance, refused];
    expect(logThrough('info', all).map((r) => r.msg)).toEqual([refused.log.message]);
    expect(logThrough('debug', all).map((r) => [r.level, r.msg])).toEqual([
      ['debug', joined.log.message],
      ['debug', rebalance.log.message],
      ['error', refused.log.message],
    ]);
  });

  it('drop what is finer than the floor a caller sets', () => {
    const warn = entry('Producer', logLevel.WARN, 'slow');
    expect(logThrough('debug', [joined, warn, refused], 'error').map((r) => r.msg)).toEqual([
      refused.log.message,
    ]);
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

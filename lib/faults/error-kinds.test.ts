import { describe, expect, it } from 'vitest';
import { errorKind } from './error-kinds.ts';
import { retryTransient } from './retry.ts';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('errorKind', () => {
  it.each([
    ['connection terminated (pg)', new Error('Connection terminated unexpectedly'), 'transient'],
    [
      'admin shutdown 57P01',
      pgError('57P01', 'terminating connection due to administrator command'),
      'transient',
    ],
    ['cannot connect now 57P03', pgError('57P03'), 'transient'],
    [
      'connection refused',
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:54329'),
      'transient',
    ],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect'), 'transient'],
    [
      'kafkajs connection',
      Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' }),
      'transient',
    ],
    [
      'kafkajs retriable',
      Object.assign(new Error('x'), { name: 'KafkaJSProtocolError', retriable: true }),
      'transient',
    ],
    [
      'wrapped socket error',
      Object.assign(new Error('outer'), { cause: pgError('ECONNRESET') }),
      'transient',
    ],
    [
      'rebalance in progress',
      Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), {
        name: 'KafkaJSProtocolError',
        type: 'REBALANCE_IN_PROGRESS',
        retriable: false,
      }),
      'transient',
    ],
    [
      'unknown member',
      Object.assign(new Error('The coordinator is not aware of this member'), {
        name: 'KafkaJSProtocolError',
        type: 'UNKNOWN_MEMBER_ID',
        retriable: false,
      }),
      'transient',
    ],
    ['invalid datetime 22008', pgError('22008', 'date/time field value out of range'), 'bad_data'],
    ['out of range 22003', pgError('22003'), 'bad_data'],
    [
      'index row too large 54000',
      pgError('54000', 'index row size 3000 exceeds btree version 4 maximum 2704'),
      'bad_data',
    ],
    [
      'kafkajs message too large',
      Object.assign(new Error('x'), { name: 'KafkaJSProtocolError', retriable: false }),
      'bug',
    ],
    ['syntax error 42601', pgError('42601'), 'bug'],
    ['type error', new TypeError('undefined is not a function'), 'bug'],
    ['a string', 'boom', 'bug'],
  ])('%s is %s', (_name, error, kind) => {
    expect(errorKind(error)).toBe(kind);
  });
});

describe('errors raised inside the Kafka client', () => {
  it('a TypeError from kafkajs tripping over a broker answer is transient', () => {
    // As thrown by admin.fetchTopicOffsets when a restarting broker answers no offsets.
    const fromKafkajs = Object.assign(new TypeError("Cannot destructure property 'partitions'"), {
      stack:
        "TypeError: Cannot destructure property 'partitions' of 'high.pop(...)' as it is undefined.\n" +
        '    at Object.fetchTopicOffsets (/app/node_modules/kafkajs/src/admin/index.js:374:17)\n' +
        '    at async IdleStamper.stampQuietSources (/app/workers/speed/idle-stamper.ts:101:50)',
    });
    expect(errorKind(fromKafkajs)).toBe('transient');
  });

  it('our own TypeError, and one merely passing through kafkajs, stay bugs', () => {
    const ours = Object.assign(new TypeError('x is undefined'), {
      stack:
        'TypeError: x is undefined\n    at IdleStamper.check (/app/workers/speed/idle-stamper.ts:60:3)\n' +
        '    at Runner.process (/app/node_modules/kafkajs/src/consumer/runner.js:1:1)',
    });
    expect(errorKind(ours)).toBe('bug');
    expect(errorKind(new Error('plain'))).toBe('bug');
  });
});

describe('retryTransient', () => {
  it('retries transient errors until the operation succeeds', async () => {
    let calls = 0;
    const seen: number[] = [];
    const result = await retryTransient(
      async () => {
        calls++;
        if (calls < 3) throw new Error('Connection terminated unexpectedly');
        return 'done';
      },
      { what: 'test', minTimeoutMs: 1, maxTimeoutMs: 2, onTransient: (_e, n) => seen.push(n) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(seen).toEqual([1, 2]);
  });

  it('throws any other error at once, unwrapped', async () => {
    let calls = 0;
    const bad = pgError('22008', 'date/time field value out of range');
    await expect(
      retryTransient(
        async () => {
          calls++;
          throw bad;
        },
        { what: 'test', minTimeoutMs: 1 },
      ),
    ).rejects.toBe(bad);
    expect(calls).toBe(1);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const run = retryTransient(
      async () => {
        throw new Error('Connection terminated unexpectedly');
      },
      { what: 'test', minTimeoutMs: 5, signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('stopping')), 20);
    await expect(run).rejects.toThrow();
  });
});

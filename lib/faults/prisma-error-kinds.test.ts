// Prisma Client over the pg driver adapter wraps the database's error twice: these are the
// shapes it raises (taken from real failures, see lib/db/prisma-errors.integration.test.ts),
// built with Prisma's own error class, and the kind each must have.
import { PrismaClientKnownRequestError } from '@prisma/client/runtime/client';
import { describe, expect, it } from 'vitest';
import { describeError, errorKind, sqlStateOf } from './error-kinds.ts';

/** What @prisma/driver-adapter-utils' DriverAdapterError is: the adapter's payload as `cause`. */
class DriverAdapterError extends Error {
  override name = 'DriverAdapterError';
  constructor(readonly payload: Record<string, unknown>) {
    super(typeof payload.message === 'string' ? payload.message : String(payload.kind));
    this.cause = payload;
  }
}

/** A failed `$queryRaw` as Prisma reports it (P2010, the adapter's error in `meta`). */
function rawQueryFailed(payload: Record<string, unknown>, code = 'P2010') {
  const quoted = String(payload.originalMessage ?? payload.kind);
  return new PrismaClientKnownRequestError(
    `\nInvalid \`prisma.$queryRaw()\` invocation:\n\n\nRaw query failed. Code: \`${String(payload.originalCode ?? 'N/A')}\`. Message: \`${quoted}\``,
    {
      code,
      clientVersion: '7.10.0',
      meta: { driverAdapterError: new DriverAdapterError(payload) },
    },
  );
}

const postgres = (code: string, message: string, severity = 'ERROR') => ({
  originalCode: code,
  originalMessage: message,
  kind: 'postgres',
  code,
  severity,
  message,
});

const cases: [string, Error, string][] = [
  [
    'connection failure 08006 (the sink fault trigger)',
    rawQueryFailed(postgres('08006', 'injected: connection lost')),
    'transient',
  ],
  [
    'admin shutdown 57P01',
    rawQueryFailed(
      postgres('57P01', 'terminating connection due to administrator command', 'FATAL'),
    ),
    'transient',
  ],
  [
    'statement timeout 57014',
    rawQueryFailed(postgres('57014', 'canceling statement due to statement timeout')),
    'transient',
  ],
  [
    'too many connections (mapped kind, 53300 kept)',
    rawQueryFailed({
      originalCode: '53300',
      originalMessage: 'too many',
      kind: 'TooManyConnections',
      cause: 'too many',
    }),
    'transient',
  ],
  [
    'serialization failure (mapped kind, 40001 kept)',
    rawQueryFailed({
      originalCode: '40001',
      originalMessage: 'could not serialize',
      kind: 'TransactionWriteConflict',
    }),
    'transient',
  ],
  [
    'server not reachable (ECONNREFUSED, no SQLSTATE)',
    rawQueryFailed({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 1 }),
    'transient',
  ],
  ['connection reset (ECONNRESET)', rawQueryFailed({ kind: 'ConnectionClosed' }), 'transient'],
  ['socket timeout (ETIMEDOUT)', rawQueryFailed({ kind: 'SocketTimeout' }), 'transient'],
  [
    'invalid text 22P02 (mapped kind)',
    rawQueryFailed({
      originalCode: '22P02',
      originalMessage: 'invalid input syntax for type integer: "abc"',
      kind: 'InvalidInputValue',
      message: 'invalid input syntax for type integer: "abc"',
    }),
    'bad_data',
  ],
  ['division by zero 22012', rawQueryFailed(postgres('22012', 'division by zero')), 'bad_data'],
  [
    'unique violation 23505 through the typed API (P2002)',
    rawQueryFailed(
      {
        originalCode: '23505',
        originalMessage: 'duplicate key value violates unique constraint "users_pkey"',
        kind: 'UniqueConstraintViolation',
        constraint: { index: 'users_pkey' },
      },
      'P2002',
    ),
    'bad_data',
  ],
  ['syntax error 42601', rawQueryFailed(postgres('42601', 'syntax error')), 'bug'],
  [
    'an unsupported result column (no SQLSTATE)',
    rawQueryFailed({ kind: 'UnsupportedNativeDataType', type: 'void' }),
    'bug',
  ],
  [
    'no connection for a transaction within maxWait (P2028)',
    new PrismaClientKnownRequestError(
      'Transaction API error: Unable to start a transaction in the given time.',
      { code: 'P2028', clientVersion: '7.10.0' },
    ),
    'transient',
  ],
  [
    'a transaction that outlived its timeout (P2028)',
    new PrismaClientKnownRequestError(
      'Transaction API error: A commit cannot be executed on an expired transaction.',
      { code: 'P2028', clientVersion: '7.10.0', meta: { operation: 'commit' } },
    ),
    'bug',
  ],
  [
    'cannot reach the database (P1001, typed API)',
    new PrismaClientKnownRequestError("Can't reach database server", {
      code: 'P1001',
      clientVersion: '7.10.0',
    }),
    'transient',
  ],
];

describe('errorKind through Prisma Client errors', () => {
  it.each(cases.map(([name, error, kind]) => [name, kind, error] as const))(
    '%s is %s',
    (_name, kind, error) => {
      expect(errorKind(error)).toBe(kind);
    },
  );

  it('reads the SQLSTATE and the database message, not Prisma’s code and source quote', () => {
    const refused = rawQueryFailed({
      originalCode: '22P02',
      originalMessage: 'invalid input syntax for type integer: "abc"',
      kind: 'InvalidInputValue',
    });
    expect(sqlStateOf(refused)).toBe('22P02');
    expect(describeError(refused)).toBe('invalid input syntax for type integer: "abc" (22P02)');
    const away = rawQueryFailed({ kind: 'DatabaseNotReachable' });
    expect(sqlStateOf(away)).toBeUndefined();
    expect(describeError(away)).toBe(
      'Raw query failed. Code: `N/A`. Message: `DatabaseNotReachable` (P2010)',
    );
  });

  it('a pg error still reports its own code', () => {
    const pg = Object.assign(new Error('value too long'), { code: '22001' });
    expect(sqlStateOf(pg)).toBe('22001');
    expect(describeError(pg)).toBe('value too long (22001)');
  });
});

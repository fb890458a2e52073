// The three kinds of error (../shared/style.md, "Errors have kinds"): a transient one (a
// dependency briefly away: retry with backoff), bad data (this input can never be stored:
// dead-letter it and go on), and anything else, a bug (crash loudly; restart and recovery
// do their job). Pure: it only looks at the error object.

export type ErrorKind = 'transient' | 'bad_data' | 'bug';

/** Node socket errors that mean "the other side is away or went away". */
const TRANSIENT_SYSCALL_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * SQLSTATE classes and codes that say "try again later" (PostgreSQL, appendix A):
 * 08 connection exception, 53 insufficient resources, 57P01-57P05 shutdown / cannot connect
 * now / idle session timeout, 40001 serialization failure, 40P01 deadlock, 55P03 lock not
 * available, 57014 query canceled (statement timeout, pg_cancel_backend).
 */
function isTransientSqlState(code: string): boolean {
  return (
    code.startsWith('08') ||
    code.startsWith('53') ||
    code.startsWith('57P') ||
    code === '40001' ||
    code === '40P01' ||
    code === '55P03' ||
    code === '57014'
  );
}

/**
 * SQLSTATE classes that blame the row: 22 data exception, 23 integrity constraint violation,
 * 54 program limit exceeded (an index row or a value too large for the server).
 */
function isBadDataSqlState(code: string): boolean {
  return code.startsWith('22') || code.startsWith('23') || code.startsWith('54');
}

/** Messages of pg and kafkajs errors that carry no code but mean a lost connection. */
const TRANSIENT_MESSAGE =
  /connection terminated|connection (?:was )?closed|terminating connection|timeout exceeded when trying to connect|client has encountered a connection error|socket (?:hang up|closed)|server closed the connection|connection ended|cannot connect now|the database system is (?:starting up|shutting down|in recovery mode)|Client was closed and is not queryable/i;

/** Kafka protocol errors a rebalance or a coordinator move produces (kafkajs: not "retriable"). */
const KAFKA_REJOIN_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_COORDINATOR',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'GROUP_LOAD_IN_PROGRESS',
  'MEMBER_ID_REQUIRED',
]);

interface ErrorLike {
  type?: unknown;
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
  stack?: unknown;
}

/**
 * A TypeError or RangeError raised inside kafkajs itself: the client tripping over a broker's
 * answer it did not expect (after a broker restart, `admin.fetchTopicOffsets` destructures an
 * empty offsets response). The broker answered nonsense; asking again later is the remedy, and
 * the caller's health shows it while it lasts. Our own code's TypeErrors stay bugs.
 */
function thrownInsideKafkaClient(e: ErrorLike): boolean {
  if (e.name !== 'TypeError' && e.name !== 'RangeError') return false;
  const stack = typeof e.stack === 'string' ? e.stack : '';
  const firstFrame = stack.split('\n').find((line) => line.trimStart().startsWith('at '));
  return firstFrame !== undefined && /[\\/]node_modules[\\/]kafkajs[\\/]/.test(firstFrame);
}

/** Classifies an error thrown by pg, kafkajs or Node's sockets. Unknown errors are bugs. */
export function errorKind(error: unknown): ErrorKind {
  const seen = new Set<unknown>();
  let current: unknown = error;
  let kind: ErrorKind = 'bug';
  // Walk the cause chain: kafkajs wraps the socket error, pg-pool wraps connect errors.
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as ErrorLike;
    const code = typeof e.code === 'string' ? e.code : undefined;
    const name = typeof e.name === 'string' ? e.name : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (code && /^[0-9A-Z]{5}$/.test(code)) {
      if (isTransientSqlState(code)) return 'transient';
      if (isBadDataSqlState(code)) kind = 'bad_data';
    }
    if (code && TRANSIENT_SYSCALL_CODES.has(code)) return 'transient';
    // Group membership errors: kafkajs rejoins the group itself; the batch is retried after it.
    if (typeof e.type === 'string' && KAFKA_REJOIN_TYPES.has(e.type)) return 'transient';
    if (name.startsWith('KafkaJS')) {
      // kafkajs marks what its own retries may repeat; connection and timeout errors always may.
      if (
        e.retriable === true ||
        name === 'KafkaJSConnectionError' ||
        name === 'KafkaJSConnectionClosedError' ||
        name === 'KafkaJSRequestTimeoutError' ||
        name === 'KafkaJSBrokerNotFound' ||
        name === 'KafkaJSLockTimeout' ||
        name === 'KafkaJSNumberOfRetriesExceeded'
      ) {
        return 'transient';
      }
    }
    if (TRANSIENT_MESSAGE.test(message)) return 'transient';
    if (thrownInsideKafkaClient(e)) return 'transient';
    current = e.cause ?? e.originalError;
  }
  return kind;
}

export const isTransient = (error: unknown): boolean => errorKind(error) === 'transient';

/** One line for logs and health: the message, with the SQLSTATE or error name when known. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

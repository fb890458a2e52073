// The three kinds of error (../shared/style.md, "Errors have kinds"): a transient one (a
// dependency briefly away: retry with backoff), bad data (this input can never be stored:
// dead-letter it and go on), and anything else, a bug (crash loudly; restart and recovery
// do their job). Pure: it only looks at the error object.
//
// Prisma Client over the pg driver adapter wraps the driver's error twice: a
// PrismaClientKnownRequestError (code P2010 for raw queries, P2002… for the typed API) whose
// `meta.driverAdapterError` is a DriverAdapterError whose `cause` holds the SQLSTATE as `code`
// or `originalCode`, or a kind name for socket errors (ConnectionClosed, DatabaseNotReachable).
// The walk below sees through both layers, so a query is classified alike on pg or on Prisma.

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

/**
 * Prisma's driver adapters name socket-level failures by kind instead of code (their SQLSTATE
 * failures keep the code in `originalCode`): the server is away or went away.
 */
const TRANSIENT_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionWriteConflict',
]);

/**
 * Prisma Client's own codes that mean "the database is away or busy": P1001 cannot reach,
 * P1002 timed out, P1008 operation timed out, P1017 server closed the connection, P2024 no
 * pool connection in time, P2034 write conflict or deadlock (retry the transaction).
 */
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034']);

/**
 * Prisma's interactive-transaction error when no connection could be had within `maxWait`
 * (P2028, which otherwise also reports a transaction that outlived its timeout: a bug).
 */
const TRANSIENT_PRISMA_MESSAGE = /Unable to start a transaction in the given time/i;

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
  /** A DriverAdapterError's cause: the SQLSTATE behind a mapped kind. */
  originalCode?: unknown;
  /** A DriverAdapterError's cause: what went wrong, by name. */
  kind?: unknown;
  /** PrismaClientKnownRequestError: the DriverAdapterError in `meta.driverAdapterError`. */
  meta?: unknown;
  /** PrismaClientInitializationError's code (P1001…). */
  errorCode?: unknown;
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

const isPrismaClientError = (name: string) => name.startsWith('PrismaClient');

/** The next error down: a cause, a wrapped original, or the driver error inside a Prisma one. */
function innerError(e: ErrorLike): unknown {
  const meta = e.meta && typeof e.meta === 'object' ? (e.meta as Record<string, unknown>) : {};
  return meta.driverAdapterError ?? e.cause ?? e.originalError;
}

/** The SQLSTATE an error carries itself: pg's `code`, or a driver adapter's `originalCode`. */
function ownSqlState(e: ErrorLike): string | undefined {
  const name = typeof e.name === 'string' ? e.name : '';
  for (const code of [e.originalCode, isPrismaClientError(name) ? undefined : e.code]) {
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** The errors an error wraps, outermost first (cycles cut). */
function errorChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    chain.push(current as ErrorLike);
    current = innerError(current as ErrorLike);
  }
  return chain;
}

/** The SQLSTATE of a database error, seen through Prisma's wrappers; undefined if none. */
export function sqlStateOf(error: unknown): string | undefined {
  for (const e of errorChain(error)) {
    const code = ownSqlState(e);
    if (code) return code;
  }
  return undefined;
}

/**
 * Classifies an error thrown by pg, Prisma Client (over the pg adapter), kafkajs or Node's
 * sockets. Unknown errors are bugs.
 */
export function errorKind(error: unknown): ErrorKind {
  let kind: ErrorKind = 'bug';
  // Walk the cause chain: kafkajs wraps the socket error, pg-pool wraps connect errors, Prisma
  // wraps the driver adapter's error, which holds the database's.
  for (const e of errorChain(error)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const name = typeof e.name === 'string' ? e.name : '';
    const message = typeof e.message === 'string' ? e.message : '';
    const sqlState = ownSqlState(e);
    if (sqlState) {
      if (isTransientSqlState(sqlState)) return 'transient';
      if (isBadDataSqlState(sqlState)) kind = 'bad_data';
    }
    if (code && TRANSIENT_SYSCALL_CODES.has(code)) return 'transient';
    if (isPrismaClientError(name)) {
      const prismaCode = code ?? (typeof e.errorCode === 'string' ? e.errorCode : undefined);
      if (prismaCode && TRANSIENT_PRISMA_CODES.has(prismaCode)) return 'transient';
      if (TRANSIENT_PRISMA_MESSAGE.test(message)) return 'transient';
      // Prisma's message quotes the database's; the causes below are read instead.
      continue;
    }
    if (typeof e.kind === 'string' && TRANSIENT_ADAPTER_KINDS.has(e.kind)) return 'transient';
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
  }
  return kind;
}

export const isTransient = (error: unknown): boolean => errorKind(error) === 'transient';

/**
 * One line for logs and health: the message, with the SQLSTATE or error name when known. For a
 * Prisma error, the database's own message and SQLSTATE (Prisma's message spans lines and
 * quotes the calling source).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (isPrismaClientError(error.name)) {
    // The database's message when the adapter kept it, else Prisma's last line ("Raw query
    // failed. Code: `N/A`. Message: `Can't reach database server at …`"), never the source quote.
    const original = errorChain(error)
      .map((e) => (e.cause as { originalMessage?: unknown } | undefined)?.originalMessage)
      .find((m): m is string => typeof m === 'string');
    const lastLine = error.message.trim().split('\n').at(-1) ?? error.message;
    const sqlState = sqlStateOf(error);
    return `${original ?? lastLine} (${sqlState ?? String((error as { code?: unknown }).code)})`;
  }
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

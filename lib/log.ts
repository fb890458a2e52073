// Structured logs (pino): one record per line on stdout, at LOG_LEVEL, each naming its
// `component` (the process or module: `logger('speed')`, with child loggers for narrower
// parts). Errors go in the `err` field and carry their kind (lib/faults/error-kinds.ts), so a
// reader sees at once whether the process retries, dead-letters or crashes.
//
// What a person sees: where stdout is a terminal (`npm run demo`, `npm run dev`, a worker run by
// hand), one short line per record, `12:00:01.234 INFO  speed  message {fields}`; everywhere
// else (compose, CI, tests and rigs that read a child's output through a pipe) the JSON lines
// themselves, which any log shipper reads. The terminal form is a plain pino destination,
// synchronous like the JSON one, so a line logged right before process.exit is never lost.
// kafkajs's own logs come through the same logger (lib/kafka/client.ts).
import pino, { type DestinationStream, type Logger } from 'pino';
import { loadConfig, type Config } from './config.ts';
import { describeError, errorKind, type ErrorKind } from './faults/error-kinds.ts';

export type { Logger } from 'pino';
export type LogLevel = Config['LOG_LEVEL'];

/** An error as a log field: what happens next (`kind`), its type and message. */
export interface LoggedError {
  kind: ErrorKind;
  type: string;
  /** The message with the SQLSTATE or error code when known (describeError). */
  message: string;
  /** What it wraps (kafkajs and pg-pool wrap the socket error). */
  cause?: string;
  /** Only for bugs: a transient error's stack says nothing its message does not. */
  stack?: string;
}

export function serializeError(error: unknown): LoggedError {
  const kind = errorKind(error);
  if (!(error instanceof Error)) return { kind, type: typeof error, message: String(error) };
  const cause = (error as { cause?: unknown }).cause;
  return {
    kind,
    type: error.name,
    message: describeError(error),
    ...(cause !== undefined ? { cause: describeError(cause) } : {}),
    ...(kind === 'bug' && error.stack ? { stack: error.stack } : {}),
  };
}

/** `12:00:01.234 WARN  speed  message {other fields}`, and a bug's stack on the lines below. */
export function formatTerminalLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const { time, level, component, msg, err, pid: _pid, ...fields } = record;
  const clock = typeof time === 'string' ? time.slice(11, 23) : String(time);
  const parts = [clock, String(level).toUpperCase().padEnd(5), String(component ?? '-'), msg];
  const error = err as LoggedError | undefined;
  if (error) parts.push(`[${error.kind}] ${error.type}: ${error.message}`);
  if (Object.keys(fields).length > 0) parts.push(JSON.stringify(fields));
  // The stack's frames only: its first lines repeat the message, which may span several.
  const framesAt = error?.stack?.search(/\n\s+at /) ?? -1;
  const frames = framesAt >= 0 ? error!.stack!.slice(framesAt) : '';
  return `${parts.filter((p) => p !== undefined && p !== '').join(' ')}${frames}\n`;
}

/** A destination that writes `formatTerminalLine`s to `out`. */
export function terminalDestination(out: DestinationStream): DestinationStream {
  return { write: (line) => out.write(formatTerminalLine(line)) };
}

export interface LoggerOptions {
  level: LogLevel | 'silent';
  /** Where records go; default stdout (terminal lines on a TTY, JSON otherwise). */
  destination?: DestinationStream;
}

function stdoutDestination(): DestinationStream {
  const stdout = pino.destination({ dest: 1, sync: true });
  return process.stdout.isTTY ? terminalDestination(stdout) : stdout;
}

/** A root logger; processes use `logger(component)`, tests pass their own destination. */
export function createLogger({ level, destination = stdoutDestination() }: LoggerOptions): Logger {
  return pino(
    {
      level,
      // The pid tells apart the workers of one host; the host name is the platform's to add.
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
    },
    destination,
  );
}

let root: Logger | undefined;

/** LOG_LEVEL as configured; a bad configuration is reported by whoever loads it, at start. */
function configuredLevel(): LogLevel {
  try {
    return loadConfig().LOG_LEVEL;
  } catch {
    return 'info';
  }
}

/** The process's logger for `component`, at LOG_LEVEL: `logger('speed').info('…')`. */
export function logger(component: string, bindings: Record<string, unknown> = {}): Logger {
  root ??= createLogger({ level: configuredLevel() });
  return root.child({ component, ...bindings });
}

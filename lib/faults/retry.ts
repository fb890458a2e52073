// Retries an operation while its errors are transient (error-kinds.ts), with exponential
// backoff and jitter, for as long as it takes: a dependency that is down for minutes is waited
// for, not given up on. Any other error is thrown at once (bad data and bugs are not retried).
import pRetry, { AbortError } from 'p-retry';
import { describeError, isTransient } from './error-kinds.ts';

export interface RetryOptions {
  /** What is being retried, for the log: "sink flush", "dead-letter insert". */
  what: string;
  /** Called before each wait: log it, count it in metrics, mark the health check. */
  onTransient?: (error: unknown, attempt: number, description: string) => void;
  /** Stops retrying (the error is thrown) once this signal aborts: shutdown. */
  signal?: AbortSignal;
  /** Backoff bounds; defaults 100 ms doubling up to 5 s. */
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
  /** Attempts after the first; default unbounded. */
  retries?: number;
}

export async function retryTransient<T>(run: () => Promise<T>, o: RetryOptions): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await run();
      } catch (error) {
        if (!isTransient(error)) throw new AbortError(error as Error);
        throw error;
      }
    },
    {
      retries: o.retries ?? Number.POSITIVE_INFINITY,
      minTimeout: o.minTimeoutMs ?? 100,
      maxTimeout: o.maxTimeoutMs ?? 5_000,
      factor: 2,
      randomize: true,
      signal: o.signal,
      onFailedAttempt: ({ error, attemptNumber }) => {
        o.onTransient?.(error, attemptNumber, `${o.what}: ${describeError(error)}`);
      },
    },
  );
}

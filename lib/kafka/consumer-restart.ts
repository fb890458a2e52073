// Keeps a kafkajs consumer from dying silently. When kafkajs gives up on a consumer (a CRASH
// event with restart: false) it has already disconnected it, and nothing else notices: the
// worker looks alive and reads nothing. Here a transient error (a broker away; see
// error-kinds.ts) restarts the consumer with backoff, and anything else is a bug handed to
// onFatal (log and exit non-zero, so the supervisor restarts the worker and recovery redoes
// the work). kafkajs's own restarts (restart: true) are left to it, unless the root cause is
// a bug: kafkajs would otherwise restart into the same bug forever.
import type { Consumer } from 'kafkajs';
import { describeError, errorKind } from '../faults/error-kinds.ts';
import { retryTransient } from '../faults/retry.ts';

export interface CrashRecoveryOptions {
  consumer: Consumer;
  /** For logs and errors: "repartitioner consumer". */
  name: string;
  /** Connects, subscribes and runs the consumer: called again to restart it. */
  run: () => Promise<void>;
  /** A bug stopped the consumer, or it could not be restarted. */
  onFatal: (error: unknown, context: string) => void;
  /** Each transient failure (the crash itself, then failed restarts): health and metrics. */
  onTransient?: (error: unknown, description: string) => void;
  /** The consumer runs again after a transient crash. */
  onRecovered?: () => void;
  /** Aborted while stopping: crashes are then expected and ignored. */
  signal: AbortSignal;
  log: (msg: string) => void;
}

/**
 * Group errors that mean "this member must rejoin" (a rebalance, a new generation, a lost
 * membership). kafkajs marks most of them not retriable and handles them itself by rejoining
 * the group: they are transient, never a bug.
 */
const REJOIN = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'FENCED_INSTANCE_ID',
]);

export function isGroupRejoin(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && REJOIN.has(type)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The innermost cause kafkajs recorded (it wraps errors in retry and non-retriable errors). */
function rootCause(error: unknown): unknown {
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const cause = (current as { cause?: unknown }).cause;
    if (!cause) break;
    current = cause;
  }
  return current;
}

/** Watches `consumer` for crashes; returns a function that stops watching. */
export function recoverFromCrashes(o: CrashRecoveryOptions): () => void {
  let restarting = false;
  let crashes = 0;
  let lastCrash: unknown;

  const restart = async () => {
    restarting = true;
    try {
      await retryTransient(
        async () => {
          await o.consumer.disconnect().catch(() => undefined);
          const before = crashes;
          await o.run();
          // kafkajs reports a failed start as a crash, not by throwing: retry it the same way.
          if (crashes !== before) throw lastCrash;
        },
        {
          what: `${o.name} restart`,
          signal: o.signal,
          onTransient: (error, _attempt, description) => o.onTransient?.(error, description),
        },
      );
      o.log(`${o.name} restarted`);
      o.onRecovered?.();
    } catch (error) {
      if (!o.signal.aborted) o.onFatal(error, `${o.name} could not be restarted`);
    } finally {
      restarting = false;
    }
  };

  return o.consumer.on(o.consumer.events.CRASH, ({ payload }) => {
    if (o.signal.aborted) return;
    const { error, restart: kafkajsRestarts } = payload;
    const kind = isGroupRejoin(error)
      ? 'transient'
      : errorKind(kafkajsRestarts ? rootCause(error) : error);
    if (kind !== 'transient') {
      o.onFatal(error, `${o.name} stopped by ${kind === 'bad_data' ? 'refused data' : 'a bug'}`);
      return;
    }
    if (kafkajsRestarts) {
      o.log(`${o.name} crashed (${describeError(error)}); kafkajs restarts it`);
      return;
    }
    crashes++;
    lastCrash = error;
    if (restarting) return; // the restart under way sees it and tries again
    o.onTransient?.(error, `${o.name} crashed: ${describeError(error)}`);
    void restart();
  });
}

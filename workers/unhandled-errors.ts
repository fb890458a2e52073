// The last line of defence of a worker process against an 'error' event nobody listens to.
// pg emits 'error' on a Client whose server connection dies; every client the workers own has
// a listener, but a connection killed at the wrong moment of its life (seen once in a hundred
// rounds of pg_terminate_backend, source not pinned down) could still surface here and, by
// Node's default, kill the process and everything it was riding through. A transient error
// (lib/faults/error-kinds.ts) is logged and the worker goes on: whoever owns that connection
// sees it fail on its next use and retries. Anything else is a bug and still ends the process.
import { describeError, errorKind } from '../lib/faults/error-kinds.ts';
import { logger } from '../lib/log.ts';

export function exitOnlyOnBugs(log: (msg: string) => void): void {
  process.on('uncaughtException', (error, origin) => {
    if (errorKind(error) === 'transient') {
      log(`an unhandled transient error was ignored (${origin}): ${describeError(error)}`);
      return;
    }
    logger('worker').fatal({ err: error, origin }, 'a bug nobody caught: exiting');
    process.exit(1);
  });
}

// Runs a long synchronous job (a generator of small steps) without holding the event loop: after
// each slice of a few milliseconds it gives the loop a turn, so the rows, fetches and heartbeats
// that arrived meanwhile are served before it goes on. A base snapshot of a large partition was
// 30-60 ms of one encode at every round that took one, the largest part of the live latency's
// p99 at 10k events/s (bench/speed-layer.bench.ts --only=latency).
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Runs `steps` to its end, a slice of about `sliceMs` at a time; resolves to its result. */
export async function runInSlices<T>(steps: Generator<void, T, void>, sliceMs = 3): Promise<T> {
  let sliceStarted = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStarted >= sliceMs) {
      await nextTurn();
      sliceStarted = performance.now();
    }
  }
}

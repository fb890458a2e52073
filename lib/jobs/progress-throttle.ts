// Progress is written to the run's row at most once per interval, never two writes at once, and
// always the latest value: a long job reports often, the database sees about one write a second.

/**
 * Calls `write` at most once per `intervalMs` with the latest value, never two at once; `flush`
 * writes the last value and waits. A failed write is dropped (the final write reports the run).
 */
export function throttled<T>(write: (value: T) => Promise<unknown>, intervalMs: number) {
  let latest: T | undefined;
  let dirty = false;
  let inFlight: Promise<void> | undefined;
  let lastAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    timer = undefined;
    if (!dirty || inFlight) return;
    dirty = false;
    lastAt = Date.now();
    const value = latest as T;
    inFlight = write(value)
      .then(
        () => undefined,
        () => undefined, // progress is best effort; the final write reports errors
      )
      .finally(() => {
        inFlight = undefined;
        if (dirty) schedule();
      });
  };
  const schedule = () => {
    if (timer || inFlight) return;
    timer = setTimeout(run, Math.max(0, intervalMs - (Date.now() - lastAt)));
  };
  return {
    update(value: T) {
      latest = value;
      dirty = true;
      schedule();
    },
    /** Stops pending writes and waits for the one in flight (the caller writes the final value). */
    async flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      dirty = false;
      await inFlight;
    },
  };
}

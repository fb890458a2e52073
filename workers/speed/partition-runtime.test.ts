import { describe, expect, it } from 'vitest';
import { expectedSources, PartitionRuntime } from './partition-runtime.ts';

const marker = (source: string, readToEnd: boolean, idle = false) => ({
  source,
  maxEventTime: 1_000,
  idle,
  readToEnd,
});

describe('PartitionRuntime.caughtUp', () => {
  it('holds once every source’s latest marker says it was read to its end (or is idle)', () => {
    const runtime = PartitionRuntime.fresh(0, expectedSources(2), 15_000);
    expect(runtime.caughtUp).toBe(false);
    runtime.onMarker(marker('clicks/0', true));
    runtime.onMarker(marker('clicks/1', true));
    runtime.onMarker(marker('checkouts/0', true));
    expect(runtime.caughtUp).toBe(false); // checkouts/1 has not said so
    runtime.onMarker(marker('checkouts/1', true, true));
    expect(runtime.caughtUp).toBe(true);
    // New data on one source: a batch that did not reach its end means a backlog again.
    runtime.onMarker(marker('clicks/1', false));
    expect(runtime.caughtUp).toBe(false);
  });

  it('counts a source that joined after the start among those that must be read to the end', () => {
    const runtime = PartitionRuntime.fresh(0, expectedSources(1), 15_000);
    runtime.onMarker(marker('clicks/0', true));
    runtime.onMarker(marker('checkouts/0', true));
    expect(runtime.caughtUp).toBe(true);
    runtime.onMarker(marker('clicks/1', false));
    expect(runtime.caughtUp).toBe(false);
  });
});

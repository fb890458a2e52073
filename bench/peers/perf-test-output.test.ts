import { describe, expect, it } from 'vitest';
import { perfTestStats } from './perf-test-output.ts';

// Kafka 4.4.0's ConsumerPerformance output, as printed here (SLF4J's warnings first).
const OUTPUT = `SLF4J: Defaulting to no-operation (NOP) logger implementation
start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
2026-11-30 05:40:01:123, 2026-11-30 05:40:04:456, 120.5, 36.2, 600000, 180018.0, 3012, 321, 375.4, 1869158.9
`;

describe('perfTestStats', () => {
  it('reads the figures by column name', () => {
    expect(perfTestStats(OUTPUT)).toEqual({ messages: 600_000, rebalanceMs: 3012, fetchMs: 321 });
  });

  it('follows the header when columns move', () => {
    const moved = 'fetch.time.ms, data.consumed.in.nMsg, rebalance.time.ms\n5, 7, 9\n';
    expect(perfTestStats(moved)).toEqual({ messages: 7, rebalanceMs: 9, fetchMs: 5 });
  });

  it('refuses output without a result', () => {
    expect(() => perfTestStats('Exception in thread "main"\n')).toThrow(/no result/);
    expect(() => perfTestStats('start.time, fetch.time.ms\n1, x\n')).toThrow(/no data.consumed/);
  });
});

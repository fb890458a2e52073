import { describe, expect, it } from 'vitest';
import { has, parsePrometheusText, select, sum } from './prometheus-text.ts';

const TEXT = `# HELP clickstream_events_consumed_total Source events consumed
# TYPE clickstream_events_consumed_total counter
clickstream_events_consumed_total{topic="clicks"} 120
clickstream_events_consumed_total{topic="checkouts"} 30

clickstream_state_keys 7
clickstream_dead_letters_total{topic="clicks",reason="bad \\"json\\", really"} 2
clickstream_end_to_end_latency_seconds_bucket{le="+Inf",kind="final"} 5
clickstream_weird{a="1"} NaN
not a metric line at all
clickstream_with_timestamp 3 1700000000000
`;

describe('parsePrometheusText', () => {
  const samples = parsePrometheusText(TEXT);

  it('reads names, labels (with escapes) and values; skips comments and junk', () => {
    expect(samples).toContainEqual({
      name: 'clickstream_events_consumed_total',
      labels: { topic: 'clicks' },
      value: 120,
    });
    expect(samples).toContainEqual({
      name: 'clickstream_dead_letters_total',
      labels: { topic: 'clicks', reason: 'bad "json", really' },
      value: 2,
    });
    expect(samples).toContainEqual({
      name: 'clickstream_end_to_end_latency_seconds_bucket',
      labels: { le: '+Inf', kind: 'final' },
      value: 5,
    });
    expect(samples.find((s) => s.name === 'clickstream_with_timestamp')?.value).toBe(3);
    expect(samples.some((s) => s.name === 'clickstream_weird')).toBe(false);
    expect(samples).toHaveLength(6);
  });

  it('sums and selects by labels', () => {
    expect(sum(samples, 'clickstream_events_consumed_total')).toBe(150);
    expect(sum(samples, 'clickstream_events_consumed_total', { topic: 'checkouts' })).toBe(30);
    expect(sum(samples, 'missing')).toBe(0);
    expect(select(samples, 'clickstream_state_keys')).toHaveLength(1);
    expect(has(samples, 'clickstream_state_keys')).toBe(true);
    expect(has(samples, 'missing')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { metricNamesInPromQL, parseDesignMetrics, seriesNames } from './metric-names.ts';

describe('metricNamesInPromQL', () => {
  it.each([
    ['up{job="w"} == 0', ['up']],
    ['sum(clickstream_consumer_lag_messages) > 10000', ['clickstream_consumer_lag_messages']],
    ['sum by (topic) (rate(a_total{outcome="x y", le="0.5"}[5m])) > 1', ['a_total']],
    ['sum(rate(a_total[$__rate_interval])) by (topic) / on (topic) group_left b', ['a_total', 'b']],
    ['histogram_quantile(0.99, sum by (le, kind) (rate(h_bucket[1m])))', ['h_bucket']],
    ['max_over_time(g[1h:1m] offset 5m) and bool c', ['c', 'g']],
    ['1e3 * x + 2 > Inf', ['x']],
    ['count(rate(x[5m])) without (pod)', ['x']],
    ['vector(1)', []],
  ])('%s selects %j', (expr, expected) => {
    expect(metricNamesInPromQL(expr)).toEqual(expected);
  });
});

describe('parseDesignMetrics', () => {
  const markdown = [
    '# Design',
    '## Metrics (Prometheus)',
    '| name | type | labels |',
    '|---|---|---|',
    '| `a_total` | counter | `topic` |',
    '| `b`, `c` | gauge | |',
    '| `d_seconds`, `d_bytes` | histogram / gauge | |',
    '## Next',
    '| `not_a_metric` | gauge | |',
  ].join('\n');

  it('reads names and types from the Metrics table only, pairing "/" types in order', () => {
    expect(parseDesignMetrics(markdown)).toEqual([
      { name: 'a_total', type: 'counter' },
      { name: 'b', type: 'gauge' },
      { name: 'c', type: 'gauge' },
      { name: 'd_seconds', type: 'histogram' },
      { name: 'd_bytes', type: 'gauge' },
    ]);
  });

  it('rejects a document without the section or with an unknown type', () => {
    expect(() => parseDesignMetrics('# nothing')).toThrow(/Metrics/);
    expect(() => parseDesignMetrics('## Metrics\n| `x` | meter | |')).toThrow(/meter/);
  });

  it('exposes histograms only as _bucket, _sum and _count', () => {
    expect(seriesNames({ name: 'h', type: 'histogram' })).toEqual(['h_bucket', 'h_sum', 'h_count']);
    expect(seriesNames({ name: 'g', type: 'gauge' })).toEqual(['g']);
  });
});

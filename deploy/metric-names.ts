// Metric names for checking deploy/ against docs/design.md: the series names the design's
// "Metrics" table allows, and the metric names a PromQL expression selects. Pure, no I/O.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface DesignMetric {
  name: string;
  type: MetricType;
}

const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary']);

/**
 * The rows of the table under the "## Metrics" heading. A row may list several backticked names
 * with types separated by "/" (`a`, `b` | histogram / gauge), paired in order; one type covers all.
 */
export function parseDesignMetrics(markdown: string): DesignMetric[] {
  const section = /^## Metrics\b.*$([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(markdown)?.[1];
  if (section === undefined) throw new Error('docs/design.md has no "## Metrics" section');
  const metrics: DesignMetric[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // "| name | type | labels |" splits into ['', name, type, labels, ''].
    const [, nameCell = '', typeCell = ''] = cells;
    const names = [...nameCell.matchAll(/`([a-z_:][a-z0-9_:]*)`/g)].map((m) => m[1]!);
    if (names.length === 0) continue;
    const types = typeCell.split('/').map((t) => t.trim());
    names.forEach((name, i) => {
      const type = (types.length === names.length ? types[i] : types[0]) as MetricType;
      if (!TYPES.has(type)) throw new Error(`design.md: unknown metric type "${type}" for ${name}`);
      metrics.push({ name, type });
    });
  }
  return metrics;
}

/** The series names a metric exposes: a histogram is only queryable as _bucket/_sum/_count. */
export function seriesNames(metric: DesignMetric): string[] {
  switch (metric.type) {
    case 'histogram':
      return ['_bucket', '_sum', '_count'].map((suffix) => metric.name + suffix);
    case 'summary':
      return [metric.name, metric.name + '_sum', metric.name + '_count'];
    default:
      return [metric.name];
  }
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
  'atan2',
]);

/**
 * The metric names an expression selects (sorted, unique). Strings, label matchers, ranges,
 * grouping clauses and Grafana variables are removed first; an identifier followed by "(" is a
 * function or aggregation, one right after a digit is part of a number or duration.
 */
export function metricNamesInPromQL(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const start = match.index;
    if (start > 0 && /[0-9.]/.test(stripped[start - 1]!)) continue;
    if (/^\s*\(/.test(stripped.slice(start + name.length))) continue;
    if (KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names].sort();
}

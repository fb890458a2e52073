// Parses the Prometheus text exposition format (what prom-client serves at /metrics) into
// samples, and sums or picks them by name and labels. Pure; unknown lines are skipped, so a newer
// worker with more metrics never breaks the dashboard.

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?\s*$/;
const LABEL_PAIR = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  LABEL_PAIR.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    LABEL_PAIR.lastIndex = at;
    const match = LABEL_PAIR.exec(text);
    if (!match) return text.slice(at).trim() === '' ? labels : undefined;
    labels[match[1]!] = unescapeLabel(match[2]!);
    at = LABEL_PAIR.lastIndex;
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Every sample line of `text`; comments, blank and unparseable lines are skipped. */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) continue;
    const labels = match[3] === undefined ? {} : parseLabels(match[3]);
    const value = parseValue(match[4]!);
    if (labels === undefined || Number.isNaN(value)) continue;
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** Samples named `name` whose labels include every pair in `where`. */
export function select(
  samples: readonly MetricSample[],
  name: string,
  where: Record<string, string> = {},
): MetricSample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v),
  );
}

/** The sum of the selected samples' values (0 when there are none). */
export function sum(
  samples: readonly MetricSample[],
  name: string,
  where: Record<string, string> = {},
): number {
  return select(samples, name, where).reduce((total, s) => total + s.value, 0);
}

/** Whether any sample named `name` exists: tells "zero" from "not reported". */
export function has(samples: readonly MetricSample[], name: string): boolean {
  return samples.some((s) => s.name === name);
}

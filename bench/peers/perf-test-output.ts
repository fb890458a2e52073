// Reads kafka-consumer-perf-test's output: a header line naming the columns, then one line of
// values (the tool prints them as CSV; column order has changed between Kafka versions).
/** The figures of kafka-consumer-perf-test's result line (its header names the columns). */
export function perfTestStats(output: string): {
  messages: number;
  rebalanceMs: number;
  fetchMs: number;
} {
  const lines = output.split('\n').map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l.split(',').some((n) => n.trim() === 'fetch.time.ms'));
  const values = lines[headerAt + 1];
  if (headerAt < 0 || !values) throw new Error(`no result in:\n${output.slice(-3000)}`);
  const names = lines[headerAt]!.split(',').map((n) => n.trim());
  const cells = values.split(',').map((v) => v.trim());
  const get = (name: string) => {
    const v = Number(cells[names.indexOf(name)]);
    if (!Number.isFinite(v)) throw new Error(`no ${name} in: ${values}`);
    return v;
  };
  return {
    messages: get('data.consumed.in.nMsg'),
    rebalanceMs: get('rebalance.time.ms'),
    fetchMs: get('fetch.time.ms'),
  };
}

// The peer table of bench/peers.bench.ts: one per load shape, with ratios (ours vs each peer:
// how many times less time and CPU ours needed; above 1 means ours is ahead).
import type { ContenderName, ContenderResult } from './contenders.ts';

const LABEL: Record<ContenderName, string> = {
  ours: 'our workers (speed layer)',
  'flink-exact': 'Flink SQL, the rule exactly',
  'flink-original': 'Flink SQL, original project',
  'lake-export': 'our lake export',
  'spark-delta': 'Spark availableNow → Delta',
  'kafkajs-read': 'kafkajs: read both topics, nothing else',
  'kafkajs-relay': 'kafkajs: both hops (read, frame, produce, read back)',
  'java-read': 'Kafka Java client: read both topics (perf test)',
};

/** Who each contender is compared with: the speed layer with ours, the export with our export. */
const BASELINE: Record<ContenderName, ContenderName> = {
  ours: 'ours',
  'flink-exact': 'ours',
  'flink-original': 'ours',
  'lake-export': 'lake-export',
  'spark-delta': 'lake-export',
  'kafkajs-read': 'ours',
  'kafkajs-relay': 'ours',
  'java-read': 'ours',
};

export interface ShapeReport {
  shape: string;
  events: number;
  distinctCheckouts: number;
  attributed: number;
  candidatePairs: number;
  eventTimeHours: number;
  contenders: ContenderResult[];
}

const num = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function ratios(
  c: ContenderResult,
  all: ContenderResult[],
): { time: number; cpu: number } | null {
  const base = all.find((b) => b.contender === BASELINE[c.contender]);
  if (!base || base === c) return null;
  return { time: c.seconds / base.seconds, cpu: c.cpuSeconds.total / base.cpuSeconds.total };
}

function lost(rows: NonNullable<ContenderResult['rows']>): string {
  const parts = [
    rows.missing > 0 ? `${num(rows.missing)} missing` : '',
    rows.wrongClick > 0 ? `${num(rows.wrongClick)} wrong click` : '',
    rows.extra > 0 ? `${num(rows.extra)} extra` : '',
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

export function printShape(s: ShapeReport): void {
  console.log(
    `\n${s.shape}: ${num(s.events)} events, ${num(s.distinctCheckouts)} checkouts (${num(s.attributed)} attributed), ` +
      `${num(s.candidatePairs)} candidate pairs, ${s.eventTimeHours.toFixed(1)} h of event time`,
  );
  const header = [
    'contender',
    'rows right',
    'time to final',
    'events/s',
    'CPU-s proc + broker + pg = total',
    'peak RSS',
    'ours is ahead by (time, CPU)',
  ];
  const rows = s.contenders.map((c) => {
    const r = ratios(c, s.contenders);
    const cpu = c.cpuSeconds;
    return [
      LABEL[c.contender] + (c.processes ? `, ${c.processes} processes` : ''),
      c.rows
        ? `${num(c.rows.right)} of ${num(c.rows.expected)}${lost(c.rows)}`
        : `— (${num(c.messagesRead ?? 0)} read)`,
      `${c.seconds.toFixed(1)} s${c.startupSeconds !== undefined ? ` (start ${c.startupSeconds.toFixed(1)})` : ''}`,
      num(c.eventsPerSecond),
      `${cpu.processor.toFixed(1)} + ${cpu.broker?.toFixed(1) ?? '?'} + ${cpu.postgres?.toFixed(1) ?? '?'} = ${cpu.total.toFixed(1)}`,
      `${num(c.peakRssBytes / 2 ** 20)} MiB`,
      r
        ? `${r.time.toFixed(1)}× time, ${r.cpu.toFixed(1)}× CPU`
        : BASELINE[c.contender] === c.contender
          ? '(baseline)'
          : `— (${BASELINE[c.contender]} not run)`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  for (const c of s.contenders) if (c.note) console.log(`  ${LABEL[c.contender]}: ${c.note}`);
  for (const c of s.contenders) {
    const w = c.sinkWrites;
    if (w) {
      console.log(
        `  ${LABEL[c.contender]}: sink row versions ${num(w.inserts)} inserted + ${num(w.updates)} updated ` +
          `(${num(w.hotUpdates)} HOT, ${num(w.updates - w.hotUpdates)} with index entries)`,
      );
    }
  }
}

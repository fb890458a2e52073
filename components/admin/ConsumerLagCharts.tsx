'use client';
// Consumer lag at a glance: one small chart per topic, a bar per partition (messages not yet
// read), and under it a sparkline of the topic's total lag over the snapshots this page has seen
// (the last few minutes). Replaces a table of every topic × partition, which grew to 24 rows.
import { useState } from 'react';
import {
  Bar,
  BarChart,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { LagRow } from '../../lib/web/pipeline-snapshot.ts';
import { formatClock, formatCount } from '../format.ts';
import { lagByTopic } from './lag-by-topic.ts';

/** Snapshots kept for the sparklines: about five minutes at one a second. */
const HISTORY = 300;

type HistoryPoint = { t: number } & Record<string, number>;

export function ConsumerLagCharts({ lag, at }: { lag: readonly LagRow[]; at: number }) {
  const topics = lagByTopic(lag);
  const [history, setHistory] = useState<HistoryPoint[]>([]);
  // A new snapshot adds one point (derived state, updated while rendering that snapshot).
  if (history.at(-1)?.t !== at && topics.length > 0) {
    const point: HistoryPoint = { t: at };
    for (const t of topics) point[t.topic] = t.total;
    setHistory((h) => [...h, point].slice(-HISTORY));
  }
  return (
    <div className="lag-charts" data-testid="consumer-lag">
      {topics.map((t) => (
        <figure
          key={t.topic}
          className="lag-chart"
          data-testid="lag-chart"
          data-topic={t.topic}
          data-total={t.total}
          style={{ margin: 0 }}
        >
          <figcaption className="lag-chart__title">
            <span className="mono">{t.topic}</span>
            <span className="num">{formatCount(t.total)} behind</span>
          </figcaption>
          <ResponsiveContainer width="100%" height={80}>
            <BarChart data={t.partitions} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
              <XAxis dataKey="partition" tick={{ fontSize: 11, fill: '#5f6b7a' }} interval={0} />
              <YAxis
                tick={{ fontSize: 11, fill: '#5f6b7a' }}
                width={40}
                allowDecimals={false}
                tickFormatter={(v: number) => formatCount(v)}
              />
              <Tooltip
                labelFormatter={(p) => `partition ${String(p)}`}
                formatter={(value) => [formatCount(Number(value)), 'messages behind']}
              />
              <Bar dataKey="lag" fill="#b7791f" isAnimationActive={false} radius={[2, 2, 0, 0]} />
            </BarChart>
          </ResponsiveContainer>
          <ResponsiveContainer width="100%" height={36}>
            <LineChart data={history} margin={{ top: 4, right: 4, bottom: 0, left: 40 }}>
              <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} hide />
              <YAxis hide domain={[0, 'dataMax']} />
              <Tooltip
                labelFormatter={(v) => `${formatClock(Number(v))} UTC`}
                formatter={(value) => [formatCount(Number(value)), 'total behind']}
              />
              <Line
                type="monotone"
                dataKey={t.topic}
                stroke="#b7791f"
                strokeWidth={1.5}
                dot={false}
                isAnimationActive={false}
                connectNulls
              />
            </LineChart>
          </ResponsiveContainer>
        </figure>
      ))}
    </div>
  );
}

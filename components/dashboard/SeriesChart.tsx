'use client';
// A live time-series chart of the dashboard: one or two lines over the last minutes, redrawn on
// every pushed point. Animation is off: a chart that moves every second should not also tween.
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { SeriesPoint } from '../../lib/web/pipeline-snapshot.ts';
import { formatClock } from '../format.ts';

export interface SeriesLine {
  key: Exclude<keyof SeriesPoint, 't'>;
  label: string;
  color: string;
  /** Lines on the right axis have their own scale (e.g. seconds next to messages). */
  right?: boolean;
  format?: (value: number) => string;
}

export function SeriesChart({
  title,
  points,
  lines,
  testId,
}: {
  title: string;
  points: SeriesPoint[];
  lines: SeriesLine[];
  testId?: string;
}) {
  const hasRight = lines.some((l) => l.right);
  const formats = new Map(lines.map((l) => [l.label, l.format]));
  return (
    <section className="card chart-card" data-testid={testId} data-points={points.length}>
      <h2 className="card-title">{title}</h2>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#eef0f3" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              tickFormatter={formatClock}
              tick={{ fontSize: 12, fill: '#5f6b7a' }}
              minTickGap={40}
            />
            <YAxis
              yAxisId="left"
              tick={{ fontSize: 12, fill: '#5f6b7a' }}
              width={56}
              allowDecimals={false}
            />
            {hasRight && (
              <YAxis
                yAxisId="right"
                orientation="right"
                tick={{ fontSize: 12, fill: '#5f6b7a' }}
                width={48}
              />
            )}
            <Tooltip
              labelFormatter={(t) => `${formatClock(Number(t))} UTC`}
              formatter={(value, name) => {
                const format = formats.get(String(name));
                return typeof value === 'number' && format ? format(value) : value;
              }}
            />
            <Legend wrapperStyle={{ fontSize: 13 }} />
            {lines.map((l) => (
              <Line
                key={l.key}
                yAxisId={l.right ? 'right' : 'left'}
                type="monotone"
                dataKey={l.key}
                name={l.label}
                stroke={l.color}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}

'use client';
// Revenue by channel under each attribution model: grouped bars, one group per channel and one
// bar per model, so a channel that a model favours stands out at a glance. Channels come ordered
// by first-click revenue (the live rule), so the first group is the speed layer's top channel.
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { AttributionReport } from '../../lib/web/attribution-report.ts';
import { formatMoney } from '../format.ts';
import { MODEL_COLORS } from './model-colors.ts';

const compactMoney = (value: number) =>
  value.toLocaleString('en-US', {
    style: 'currency',
    currency: 'USD',
    notation: 'compact',
    maximumFractionDigits: 1,
  });

export function ModelComparisonChart({ report }: { report: AttributionReport }) {
  const data = report.channels.map((c) => ({ label: c.label, ...c.revenue }));
  const order = new Map<string, number>(report.models.map((m, i) => [m.key, i]));
  return (
    <section
      className="card chart-card"
      data-testid="model-comparison"
      data-channels={report.channels.length}
      data-models={report.models.map((m) => m.key).join(' ')}
    >
      <h2 className="card-title">Revenue by channel under each model</h2>
      <div className="chart-box chart-box--tall">
        <ResponsiveContainer width="100%" height={320}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }} barGap={1}>
            <CartesianGrid stroke="#eef0f3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 12, fill: '#5f6b7a' }} interval={0} />
            <YAxis
              tick={{ fontSize: 12, fill: '#5f6b7a' }}
              width={64}
              tickFormatter={compactMoney}
            />
            <Tooltip
              formatter={(value) => (typeof value === 'number' ? formatMoney(value) : value)}
            />
            {/* In the models' order (recharts sorts by name unless told). */}
            <Legend
              wrapperStyle={{ fontSize: 13 }}
              itemSorter={(item) => order.get(String(item.dataKey)) ?? 0}
            />
            {report.models.map((m) => (
              <Bar
                key={m.key}
                dataKey={m.key}
                name={m.label}
                fill={MODEL_COLORS[m.key]}
                isAnimationActive={false}
                radius={[2, 2, 0, 0]}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}

'use client';
// How long after the attributed click people bought: counts of attributed checkouts in the sink
// window by click → checkout delay.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistogramBin } from '../../lib/web/pipeline-snapshot.ts';

export function DelayHistogram({ bins }: { bins: HistogramBin[] }) {
  const total = bins.reduce((n, b) => n + b.count, 0);
  return (
    <section className="card chart-card" data-testid="delay-histogram" data-total={total}>
      <h2 className="card-title">Time from attributed click to checkout</h2>
      {total === 0 ? (
        <p className="muted empty-note">No attributed checkouts in the window yet.</p>
      ) : (
        <div className="chart-box">
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={bins} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="#eef0f3" vertical={false} />
              <XAxis dataKey="label" tick={{ fontSize: 11, fill: '#5f6b7a' }} interval={0} />
              <YAxis tick={{ fontSize: 12, fill: '#5f6b7a' }} width={48} allowDecimals={false} />
              <Tooltip formatter={(value) => [value, 'checkouts']} />
              <Bar dataKey="count" fill="#2f5bd3" isAnimationActive={false} radius={[3, 3, 0, 0]} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}

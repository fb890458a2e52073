'use client';
// Live first-click revenue by channel: the speed layer's rows carry the winning click's channel,
// summed over the dashboard's window (the newest rows of the last hour) by GET
// /api/pipeline/channels, re-read every two seconds while the page is open. Rows written before
// clicks carried a channel count under "unknown (before channels)".
import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LiveChannels } from '../../lib/web/attribution-report.ts';
import { apiGet } from '../api-client.ts';
import { formatMoney } from '../format.ts';

const REFRESH_MS = 2_000;

export function ChannelRevenue() {
  const live = useQuery({
    queryKey: ['pipeline', 'channels'],
    queryFn: () => apiGet<LiveChannels>('/api/pipeline/channels'),
    refetchInterval: REFRESH_MS,
    staleTime: REFRESH_MS,
  });
  const channels = live.data?.channels ?? [];
  const total = channels.reduce((n, c) => n + c.revenue, 0);
  return (
    <section
      className="card chart-card"
      data-testid="channel-revenue"
      data-channels={channels.length}
      data-total={Math.round(total * 100) / 100}
    >
      <h2 className="card-title">First-click revenue by channel, live</h2>
      {live.error ? (
        <p className="callout callout--bad small" role="alert">
          {live.error.message}
        </p>
      ) : channels.length === 0 ? (
        <p className="muted empty-note">
          {live.data ? 'No attributed revenue in the window yet.' : 'loading…'}
        </p>
      ) : (
        <div className="chart-box">
          <ResponsiveContainer width="100%" height={220}>
            <BarChart
              data={channels}
              layout="vertical"
              margin={{ top: 4, right: 16, bottom: 0, left: 0 }}
            >
              <CartesianGrid stroke="#eef0f3" horizontal={false} />
              <XAxis
                type="number"
                tick={{ fontSize: 12, fill: '#5f6b7a' }}
                tickFormatter={(v: number) =>
                  v.toLocaleString('en-US', {
                    style: 'currency',
                    currency: 'USD',
                    notation: 'compact',
                  })
                }
              />
              <YAxis
                type="category"
                dataKey="label"
                width={150}
                tick={{ fontSize: 12, fill: '#5f6b7a' }}
                interval={0}
              />
              <Tooltip
                formatter={(value) => [
                  typeof value === 'number' ? formatMoney(value) : value,
                  'revenue',
                ]}
              />
              <Bar
                dataKey="revenue"
                fill="#2f5bd3"
                isAnimationActive={false}
                radius={[0, 3, 3, 0]}
              />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}

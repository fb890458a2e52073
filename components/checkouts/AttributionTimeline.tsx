// A small timeline of one checkout's attribution: the hour-long window before the checkout
// shaded, the user's clicks on the product as dots (the winner large and labelled), and the
// checkout as a line. When every click sits within a few minutes of the checkout, a second,
// zoomed axis spreads them apart. Plain SVG, rendered on the server.
import type {
  AttributionTimeline as Timeline,
  ClickRole,
} from '../../lib/web/attribution-timeline.ts';
import { formatClock, formatSeconds } from '../format.ts';

const WIDTH = 1000;
const HEIGHT = 130;
const AXIS_Y = 84;
const PAD_X = 40;
/** Below this span (clicks and checkout), the hour view crowds them: add a zoomed view. */
const ZOOM_BELOW_MS = 5 * 60_000;

const roleColor: Record<ClickRole, string> = {
  winner: '#1f8a4c',
  candidate: '#2f5bd3',
  'before-window': '#9aa4b2',
  'after-checkout': '#9aa4b2',
};

function Axis({
  timeline,
  from,
  to,
  title,
  testId,
}: {
  timeline: Timeline;
  from: number;
  to: number;
  title: string;
  testId: string;
}) {
  const x = (t: number) => PAD_X + ((t - from) / (to - from)) * (WIDTH - 2 * PAD_X);
  const clamp = (t: number) => Math.min(Math.max(t, from), to);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((q) => from + q * (to - from));
  const winner = timeline.clicks.find((c) => c.role === 'winner');
  const windowFrom = clamp(timeline.windowStart);
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      className="timeline"
      role="img"
      aria-label={title}
      data-testid={testId}
    >
      <rect
        x={x(windowFrom)}
        y={AXIS_Y - 44}
        width={x(timeline.checkoutTime) - x(windowFrom)}
        height={52}
        fill="#e8eefc"
        rx={4}
      />
      <text x={PAD_X} y={16} fontSize={13} fill="#5f6b7a">
        {title}
      </text>
      {timeline.windowStart >= from && (
        <text x={x(windowFrom) + 6} y={AXIS_Y - 30} fontSize={13} fill="#2f5bd3">
          attribution window: the hour before the checkout
        </text>
      )}
      <line x1={PAD_X} x2={WIDTH - PAD_X} y1={AXIS_Y} y2={AXIS_Y} stroke="#c5ccd6" />
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={AXIS_Y} y2={AXIS_Y + 5} stroke="#c5ccd6" />
          <text x={x(t)} y={AXIS_Y + 20} fontSize={12} fill="#5f6b7a" textAnchor="middle">
            {formatClock(t)}
          </text>
        </g>
      ))}
      <line
        x1={x(timeline.checkoutTime)}
        x2={x(timeline.checkoutTime)}
        y1={AXIS_Y - 54}
        y2={AXIS_Y + 8}
        stroke="#1d2330"
        strokeWidth={2}
      />
      <text
        x={x(timeline.checkoutTime) - 4}
        y={AXIS_Y - 58}
        fontSize={13}
        fontWeight={600}
        fill="#1d2330"
        textAnchor="end"
      >
        checkout
      </text>
      {timeline.clicks
        .filter((c) => c.time >= from && c.time <= to)
        .map((c) => (
          <circle
            key={c.clickId}
            cx={x(c.time)}
            cy={AXIS_Y}
            r={c.role === 'winner' ? 8 : 5}
            fill={roleColor[c.role]}
            stroke="#fff"
            strokeWidth={2}
          >
            <title>{`${c.clickId} at ${formatClock(c.time)} UTC: ${c.reason}`}</title>
          </circle>
        ))}
      {winner && winner.time >= from && winner.time <= to && (
        <text
          x={Math.min(Math.max(x(winner.time), PAD_X + 60), WIDTH - PAD_X - 60)}
          y={AXIS_Y + 38}
          fontSize={13}
          fontWeight={600}
          fill={roleColor.winner}
          textAnchor="middle"
        >
          first click wins
        </text>
      )}
    </svg>
  );
}

export function AttributionTimeline({ timeline }: { timeline: Timeline }) {
  const times = timeline.clicks.map((c) => c.time);
  const span = timeline.checkoutTime - timeline.windowStart;
  const from = Math.min(timeline.windowStart, ...times) - span * 0.06;
  const to = Math.max(timeline.checkoutTime, ...times) + span * 0.06;
  const near = [timeline.checkoutTime, ...times];
  const nearFrom = Math.min(...near);
  const nearTo = Math.max(...near);
  const zoom = timeline.clicks.length > 0 && nearTo - nearFrom < ZOOM_BELOW_MS;
  const pad = Math.max(1_000, (nearTo - nearFrom) * 0.15);
  return (
    <>
      <Axis
        timeline={timeline}
        from={from}
        to={to}
        title={`${timeline.clicks.length} click${timeline.clicks.length === 1 ? '' : 's'} by this user on this product, and the hour before the checkout`}
        testId="attribution-timeline"
      />
      {zoom && (
        <Axis
          timeline={timeline}
          from={nearFrom - pad}
          to={nearTo + pad}
          title={`zoomed in: the ${formatSeconds((nearTo - nearFrom + 2 * pad) / 1000)} around the checkout`}
          testId="attribution-timeline-zoom"
        />
      )}
    </>
  );
}

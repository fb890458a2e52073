// Number, money, duration and time formatting shared by the pages: one place, so the dashboard,
// the browser and the admin page print the same figure the same way. Null prints as a dash.

const DASH = '—';

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return Math.round(value).toLocaleString('en-US');
}

export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(1);
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return `${(value * 100).toFixed(1)}%`;
}

export function formatMoney(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const n = typeof value === 'string' ? Number(value) : value;
  return n.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
}

export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = value;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatSeconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  if (value < 1) return `${Math.round(value * 1000)} ms`;
  if (value < 120) return `${value.toFixed(1)} s`;
  if (value < 7200) return `${(value / 60).toFixed(1)} min`;
  return `${(value / 3600).toFixed(1)} h`;
}

/** `2026-11-24 10:00:00.123 UTC`: event times are UTC on the wire, so the UI says UTC too. */
export function formatTime(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const ms = typeof value === 'string' ? Date.parse(value) : value;
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** `10:00:00` (UTC), for feeds and axes. */
export function formatClock(value: number): string {
  return new Date(value).toISOString().slice(11, 19);
}

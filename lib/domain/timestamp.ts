// Event-time parsing and formatting. Accepts `YYYY-MM-DD HH:MM:SS[.f]` (no zone = UTC) and ISO
// 8601 with `T` and `Z` or an offset; returns epoch milliseconds in the years 0001-9999 UTC.
// Fractions beyond ms are truncated (not rounded), so every layer that reads our parsed time sees
// the same millisecond.

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2})(?::(\d{2})|(\d{2}))?)?$/;

const MS_PER_DAY = 86_400_000;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export type TimestampResult = { ok: true; time: number } | { ok: false; reason: string };

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: every store and format holds these. */
export const MIN_EVENT_TIME = daysFromCivil(1, 1, 1) * MS_PER_DAY;
export const MAX_EVENT_TIME = daysFromCivil(10_000, 1, 1) * MS_PER_DAY - 1;

/**
 * Parses a wire timestamp into epoch ms. Calendar-checked (no Feb 30, no leap second 60);
 * offsets `Z`, `±HH:MM`, `±HHMM` or `±HH` up to 23:59; 1-9 fraction digits. The instant, once
 * the offset is applied, must fall in the years 0001-9999 UTC (spec): `0000-12-31T23:30:00-01:00`
 * is fine, `0001-01-01T00:00:00+01:00` is not.
 */
export function parseTimestamp(text: string): TimestampResult {
  const m = TIMESTAMP.exec(text);
  if (!m) return { ok: false, reason: 'expected YYYY-MM-DD HH:MM:SS[.fff] or ISO 8601' };
  const [, ys, mos, ds, hs, mis, ss, frac, zulu, sign, ohs, omColon, omBare] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  if (month < 1 || month > 12) return { ok: false, reason: `month ${mos} out of range` };
  if (day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: `day ${ds} does not exist in ${ys}-${mos}` };
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return { ok: false, reason: `time ${hs}:${mis}:${ss} out of range` };
  }
  let offsetMinutes = 0;
  if (sign !== undefined && zulu === undefined) {
    const oh = Number(ohs);
    const om = Number(omColon ?? omBare ?? '0');
    if (oh > 23 || om > 59) return { ok: false, reason: `offset ${sign}${ohs} out of range` };
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const time =
    daysFromCivil(year, month, day) * MS_PER_DAY +
    ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 +
    millis;
  if (time < MIN_EVENT_TIME || time > MAX_EVENT_TIME) {
    return { ok: false, reason: 'the instant (UTC) is outside the years 0001-9999' };
  }
  return { ok: true, time };
}

/** `YYYY-MM-DD HH:MM:SS.fff` in UTC: the naive format of the original generator. */
export function formatTimestamp(time: number): string {
  return new Date(time).toISOString().replace('T', ' ').slice(0, 23);
}

/** `YYYY-MM-DDTHH:MM:SS.fffZ`: ISO 8601 in UTC, parsed back to the same millisecond. */
export function formatIsoTimestamp(time: number): string {
  return new Date(time).toISOString();
}

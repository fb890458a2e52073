// Event-time parsing and formatting. Accepts `YYYY-MM-DD HH:MM:SS[.f]` (no zone = UTC) and ISO
// 8601 with `T` and `Z` or an offset; returns epoch milliseconds in the years 0001-9999 UTC.
// Fractions beyond ms are truncated (not rounded), so every layer that reads our parsed time sees
// the same millisecond.

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:([Zz])|([+-])(\d{2})(?::(\d{2})|(\d{2}))?)?$/;

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
 * offsets `Z`, `±HH:MM`, `±HHMM` or `±HH` up to 23:59; a fraction of any length after `.` or
 * `,` (ISO 8601 allows both marks and sets no limit; the fast path takes 1-9 digits after `.`, the
 * pattern the rest). The instant, once
 * the offset is applied, must fall in the years 0001-9999 UTC (spec): `0000-12-31T23:30:00-01:00`
 * is fine, `0001-01-01T00:00:00+01:00` is not.
 */
export function parseTimestamp(text: string): TimestampResult {
  const time = parseCommonTimestamp(text);
  return time === undefined ? parseTimestampByPattern(text) : { ok: true, time };
}

/** The value of the decimal digit at `i`, or -1 (also past the end). */
function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** The number written by the `count` digits from `i`, or -1 if one is not a digit. */
function digitsAt(text: string, i: number, count: number): number {
  let value = 0;
  for (let j = i; j < i + count; j++) {
    const d = digitAt(text, j);
    if (d < 0) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The shapes every event has in practice (the original generator's naive time, ISO in UTC), read
 * without the pattern: its match array and substrings were 8% of the event parser's CPU. Only a
 * valid timestamp of those shapes gets a time here; anything else, valid or not, goes to
 * parseTimestampByPattern, which has the grammar and the reasons (a property test holds the two
 * to the same answers).
 */
function parseCommonTimestamp(text: string): number | undefined {
  const n = text.length;
  if (n < 19 || n > 30) return undefined;
  const sep = text.charCodeAt(10);
  if (
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    (sep !== 32 && sep !== 84 && sep !== 116) || // space, T, t
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if ((year | month | day | hour | minute | second) < 0) return undefined;
  let i = 19;
  let millis = 0;
  if (i < n && text.charCodeAt(i) === 46) {
    // .f to .fffffffff: the first three digits are the milliseconds, the rest is truncated.
    let digits = 0;
    for (let d = digitAt(text, ++i); d >= 0; d = digitAt(text, ++i), digits++) {
      if (digits < 3) millis = millis * 10 + d;
    }
    if (digits < 1 || digits > 9) return undefined;
    for (let pad = digits; pad < 3; pad++) millis *= 10;
  }
  if (i < n && (text.charCodeAt(i) === 90 || text.charCodeAt(i) === 122)) i++; // Z, z
  if (i !== n) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const time =
    daysFromCivil(year, month, day) * MS_PER_DAY +
    ((hour * 60 + minute) * 60 + second) * 1000 +
    millis;
  return time < MIN_EVENT_TIME || time > MAX_EVENT_TIME ? undefined : time;
}

/** parseTimestamp by the whole grammar (a pattern), with the reason when the text is not one. */
export function parseTimestampByPattern(text: string): TimestampResult {
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

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
/** 10000-01-01T00:00:00Z: below it (and from 1970 on) the year has four digits and no sign. */
const YEAR_10000 = 253_402_300_800_000;

/**
 * `YYYY-MM-DDTHH:MM:SS.fffZ`: ISO 8601 in UTC, parsed back to the same millisecond; the text
 * `Date.prototype.toISOString` gives. Every row the sink writes formats two times: from 1970 to
 * 9999 this builds the text from the day number itself (0.2 µs against 1.0 µs for a Date and
 * its toISOString, 300k times); other instants go through Date.
 */
export function formatIsoTimestamp(time: number): string {
  if (!(time >= 0 && time < YEAR_10000 && Number.isInteger(time))) {
    return new Date(time).toISOString();
  }
  const days = Math.floor(time / MS_PER_DAY);
  let rest = time - days * MS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const { year, month, day } = civilFromDays(days);
  return (
    `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[hours]}:` +
    `${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`
  );
}

/** The proleptic Gregorian date of a day number (days since 1970-01-01, >= 0). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  // Howard Hinnant's civil_from_days: eras of 400 years, years starting on 1 March.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

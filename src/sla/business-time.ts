import type { BusinessCalendar } from './settings.js';

/**
 * Business-time arithmetic over a calendar: opening ranges per weekday in a time zone, holidays, or 24/7.
 * Pure. Wall times are read with `Intl.DateTimeFormat`, so daylight-saving changes are followed: a
 * 09:00–17:00 day is always eight business hours, whatever the UTC offset that day.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far (in days) the arithmetic looks for open time before giving up on a calendar that is never open. */
const MAX_DAYS = 3_700;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is a time zone `Intl` knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** A local calendar date: year, month (1–12), day. */
interface LocalDate {
  y: number;
  m: number;
  d: number;
}

/** The zone's UTC offset (ms) at an instant, read with `Intl`. */
function intlOffsetAt(at: number, timeZone: string): number {
  const p = Object.fromEntries(
    formatterOf(timeZone)
      .formatToParts(new Date(at))
      .map((x) => [x.type, Number(x.value)]),
  );
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) + (((at % 1000) + 1000) % 1000) - at;
}

/** Offsets per zone and quarter hour: zones change offset only at whole quarter hours (UTC), so this is exact. */
const QUARTER_HOUR = 15 * MINUTE;
const offsets = new Map<string, Map<number, number>>();

/** The zone's UTC offset (ms) at an instant. */
function offsetAt(at: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  const bucket = Math.floor(at / QUARTER_HOUR);
  let offset = zone.get(bucket);
  if (offset === undefined) {
    offset = intlOffsetAt(at, timeZone);
    if (zone.size >= 10_000) zone.clear();
    zone.set(bucket, offset);
  }
  return offset;
}

/** The wall-clock date and time of an instant in a time zone. */
function wallTime(at: number, timeZone: string): LocalDate & { minutes: number; ms: number } {
  const local = new Date(at + offsetAt(at, timeZone));
  return {
    y: local.getUTCFullYear(),
    m: local.getUTCMonth() + 1,
    d: local.getUTCDate(),
    minutes: local.getUTCHours() * 60 + local.getUTCMinutes(),
    ms: local.getUTCSeconds() * 1000 + local.getUTCMilliseconds(),
  };
}

/**
 * The instant of a local wall time (minutes after local midnight; 1440 is the next midnight). A time
 * skipped by a spring-forward change lands just after the gap; a repeated autumn time takes its first
 * occurrence.
 */
function instantOf(date: LocalDate, minutes: number, timeZone: string): number {
  const naive = Date.UTC(date.y, date.m - 1, date.d, 0, minutes);
  const first = naive - offsetAt(naive, timeZone);
  const second = naive - offsetAt(first, timeZone);
  if (first === second) return first;
  // Around a change the two guesses differ: take the earlier one that reads back as the asked wall time,
  // else (a skipped time) the later one.
  const reads = (t: number) => offsetAt(t, timeZone) + t === naive;
  return [Math.min(first, second), Math.max(first, second)].find(reads) ?? Math.max(first, second);
}

const isoOf = (date: LocalDate) => `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
const nextDate = (date: LocalDate, days = 1): LocalDate => {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d) + days * DAY);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
const weekdayOf = (date: LocalDate) => new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay();
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The open intervals (UTC ms) of ranges that start on one local date; a range ending before it starts runs past
 * midnight. */
function intervalsOn(date: LocalDate, cal: BusinessCalendar, holidays: ReadonlySet<string>): [number, number][] {
  if (holidays.has(isoOf(date))) return [];
  const ranges = cal.days[String(weekdayOf(date)) as keyof BusinessCalendar['days']] ?? [];
  return ranges
    .map((r) => {
      const [s, e] = r.split('-').map(minutesOf) as [number, number];
      return [
        instantOf(date, s, cal.timezone),
        e > s ? instantOf(date, e, cal.timezone) : instantOf(nextDate(date), e, cal.timezone),
      ] as [number, number];
    })
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
}

/** The calendar's open intervals (UTC ms, merged, in order) that end after `from`. */
function* openIntervals(from: number, cal: BusinessCalendar): Generator<[number, number]> {
  const holidays = new Set(cal.holidays);
  let date = nextDate(wallTime(from, cal.timezone), -1); // yesterday's overnight ranges may still be open
  let current: [number, number] | null = null;
  for (let i = 0; i < MAX_DAYS; i++, date = nextDate(date)) {
    for (const [s, e] of intervalsOn(date, cal, holidays)) {
      if (current && s <= current[1]) current[1] = Math.max(current[1], e);
      else {
        if (current && current[1] > from) yield current;
        current = [s, e];
      }
    }
  }
  if (current && current[1] > from) yield current;
  throw new Error(`The business calendar has no open time within ${MAX_DAYS} days`);
}

/**
 * The instant `minutes` business minutes after `start`. With nothing to add, `start` itself. A target
 * that ends exactly when the day closes is due at the close, not at the next opening.
 *
 * @example addBusinessMinutes(new Date('2026-06-05T16:00:00Z'), 120, mondayToFriday9to17Utc) // Mon 2026-06-08T10:00Z
 */
export function addBusinessMinutes(start: Date, minutes: number, cal: BusinessCalendar): Date {
  if (cal.alwaysOpen || minutes <= 0) return new Date(start.getTime() + Math.max(0, minutes) * MINUTE);
  let left = minutes * MINUTE;
  const from = start.getTime();
  for (const [s, e] of openIntervals(from, cal)) {
    const begin = Math.max(s, from);
    if (left <= e - begin) return new Date(begin + left);
    left -= e - begin;
  }
  throw new Error('unreachable');
}

/**
 * Business minutes between two instants (negative when `b` is before `a`), fractional.
 *
 * @example businessMinutesBetween(fri16utc, mon10utc, mondayToFriday9to17Utc) // 120
 */
export function businessMinutesBetween(a: Date, b: Date, cal: BusinessCalendar): number {
  if (b.getTime() < a.getTime()) return -businessMinutesBetween(b, a, cal);
  if (cal.alwaysOpen) return (b.getTime() - a.getTime()) / MINUTE;
  const from = a.getTime();
  const to = b.getTime();
  let total = 0;
  for (const [s, e] of openIntervals(from, cal)) {
    if (s >= to) break;
    total += Math.min(e, to) - Math.max(s, from);
  }
  return total / MINUTE;
}

import { DomainError, FieldIssue } from '../../../platform/http/domain-error.js';

/**
 * Business time: minutes that count only while a calendar's business hours are open, in the
 * calendar's own time zone. Pure (no database, no Nest); time zones through `Intl` only.
 *
 * The rules (docs/service.md#business-hours):
 * - Weekly hours are local wall times. An interval whose end is at or before its start runs
 *   overnight (mon 22:00–06:00 is Monday 22:00 to Tuesday 06:00); '24:00' is allowed as an end.
 * - A holiday (a local date) removes the intervals that START on that date, an overnight one
 *   included; the hours of the day before that run into it stay.
 * - An interval is the REAL time between the instants its two wall times denote, so business time
 *   is elapsed time while open. Across a DST change: 09:00–17:00 is always 8 h (the change happens
 *   at night, outside it); an interval spanning the spring-forward gap (00:00–06:00 on the night
 *   clocks skip 02:00→03:00) lasts 5 h; one spanning the fall-back hour lasts 7 h — every real
 *   minute of the repeated hour counts, each once.
 * - A wall time that does not exist (inside the spring-forward gap) denotes the instant the same
 *   distance after the gap starts (02:30 → 03:30 summer time); a wall time that occurs twice
 *   (inside the fall-back hour) denotes its first occurrence (summer time). (Temporal's
 *   'compatible' disambiguation.) Overlaps this could create in real time are counted once.
 * - Precision: milliseconds. `businessMinutesBetween` returns fractional minutes (ms / 60 000).
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessInterval {
  /** 'HH:MM', 00:00–23:59 */
  start: string;
  /** 'HH:MM', 00:00–24:00; at or before start = overnight into the next day */
  end: string;
}

export interface BusinessCalendarSpec {
  /** IANA time zone, e.g. 'Europe/Berlin' */
  timeZone: string;
  weeklyHours: Record<Weekday, BusinessInterval[]>;
  /** local dates 'YYYY-MM-DD' */
  holidays: string[];
}

/** Most intervals per weekday, and most holidays, a calendar may have. */
export const MAX_INTERVALS_PER_DAY = 10;
export const MAX_HOLIDAYS = 1000;
/** How far ahead addBusinessMinutes looks for open time before giving up. */
export const SEARCH_LIMIT_DAYS = 3 * 366;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ZONE_RE = /^[A-Za-z][A-Za-z0-9_+\-/]{0,99}$/;

/** Around the clock, in UTC: the calendar of a policy when the tenant has none. */
export const ALWAYS_OPEN: BusinessCalendarSpec = Object.freeze({
  timeZone: 'UTC',
  weeklyHours: Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '00:00', end: '24:00' }]])) as Record<
    Weekday,
    BusinessInterval[]
  >,
  holidays: [],
});

// ------------------------------------------------------------------------------ validation

const minutesOf = (hhmm: string): number => {
  if (hhmm === '24:00') return 1440;
  const m = TIME_RE.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

function validZone(zone: string): boolean {
  if (!ZONE_RE.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function validDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === s;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Everything wrong with a calendar spec, each issue naming its field (`timeZone`,
 * `weeklyHours.mon[0].end`, `holidays[2]`); empty when it is valid. `prefix` is put before each
 * field name (e.g. when the spec is part of a larger input).
 */
export function calendarIssues(spec: unknown, prefix = ''): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const at = (field: string, code: string, message: string) =>
    issues.push({ field: prefix + field, code, message: `${prefix + field} ${message}` });
  if (!isObject(spec)) {
    at('', 'invalid', 'must be an object with timeZone, weeklyHours and holidays');
    return issues;
  }
  if (typeof spec.timeZone !== 'string' || !validZone(spec.timeZone))
    at('timeZone', 'invalid_time_zone', 'must be an IANA time zone such as Europe/Berlin');

  const weekly = spec.weeklyHours;
  const ranges: { day: number; from: number; to: number; field: string }[] = [];
  if (!isObject(weekly)) at('weeklyHours', 'invalid', 'must be an object keyed by mon … sun');
  else {
    for (const key of Object.keys(weekly))
      if (!(WEEKDAYS as readonly string[]).includes(key))
        at(`weeklyHours.${key}`, 'unknown_day', 'is not a weekday (mon, tue, wed, thu, fri, sat, sun)');
    WEEKDAYS.forEach((day, dayIndex) => {
      const list = weekly[day];
      if (list === undefined) return;
      if (!Array.isArray(list)) return at(`weeklyHours.${day}`, 'invalid', 'must be an array of intervals');
      if (list.length > MAX_INTERVALS_PER_DAY)
        return at(`weeklyHours.${day}`, 'too_many', `may have at most ${MAX_INTERVALS_PER_DAY} intervals`);
      list.forEach((iv: unknown, i) => {
        const f = `weeklyHours.${day}[${i}]`;
        if (!isObject(iv)) return at(f, 'invalid', "must be an object { start: 'HH:MM', end: 'HH:MM' }");
        const extra = Object.keys(iv).filter((k) => k !== 'start' && k !== 'end');
        if (extra.length) at(`${f}.${extra[0]}`, 'unknown_property', 'is not a property of an interval');
        const ok = (v: unknown, allow24: boolean): v is string =>
          typeof v === 'string' && (TIME_RE.test(v) || (allow24 && v === '24:00'));
        if (!ok(iv.start, false))
          at(`${f}.start`, 'invalid_time', "must be a time 'HH:MM' from 00:00 to 23:59");
        if (!ok(iv.end, true)) at(`${f}.end`, 'invalid_time', "must be a time 'HH:MM' from 00:00 to 24:00");
        if (!ok(iv.start, false) || !ok(iv.end, true)) return;
        const from = minutesOf(iv.start);
        let to = minutesOf(iv.end);
        if (to <= from) to += 1440;
        ranges.push({ day: dayIndex, from: dayIndex * 1440 + from, to: dayIndex * 1440 + to, field: f });
      });
    });
  }
  // Overlaps, on the weekly circle (sun 22:00–06:00 runs into Monday).
  const WEEK = 7 * 1440;
  for (let i = 0; i < ranges.length; i++)
    for (let j = i + 1; j < ranges.length; j++) {
      const a = ranges[i];
      const b = ranges[j];
      const overlaps = [-WEEK, 0, WEEK].some((shift) => a.from < b.to + shift && b.from + shift < a.to);
      if (overlaps) at(b.field, 'overlap', `overlaps ${prefix}${a.field}`);
    }

  const holidays = spec.holidays;
  if (holidays !== undefined) {
    if (!Array.isArray(holidays)) at('holidays', 'invalid', "must be an array of dates 'YYYY-MM-DD'");
    else if (holidays.length > MAX_HOLIDAYS)
      at('holidays', 'too_many', `may list at most ${MAX_HOLIDAYS} dates`);
    else
      holidays.forEach((h: unknown, i) => {
        if (typeof h !== 'string' || !validDate(h))
          at(`holidays[${i}]`, 'invalid_date', "must be a calendar date 'YYYY-MM-DD'");
      });
  }
  return issues;
}

/**
 * Checks a calendar spec and returns it normalised (every weekday present, holidays sorted and
 * unique); a 400 VALIDATION_FAILED naming each bad field otherwise.
 */
export function validateCalendar(spec: unknown, prefix = ''): BusinessCalendarSpec {
  const issues = calendarIssues(spec, prefix);
  if (issues.length)
    throw new DomainError(
      'VALIDATION_FAILED',
      `Invalid business calendar: ${issues.map((i) => i.message).join('; ')}.`,
      issues,
    );
  const s = spec as BusinessCalendarSpec;
  return {
    timeZone: s.timeZone,
    weeklyHours: Object.fromEntries(
      WEEKDAYS.map((d) => [
        d,
        [...(s.weeklyHours[d] ?? [])]
          .map((iv) => ({ start: iv.start, end: iv.end }))
          .sort((a, b) => minutesOf(a.start) - minutesOf(b.start)),
      ]),
    ) as Record<Weekday, BusinessInterval[]>,
    holidays: [...new Set(s.holidays ?? [])].sort(),
  };
}

// ------------------------------------------------------------------------- time zones (Intl)

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's UTC offset at an instant, in ms (local wall time = instant + offset). */
function offsetAt(zone: string, ms: number): number {
  const seconds = Math.floor(ms / 1000) * 1000;
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(seconds)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour === 24 ? 0 : p.hour, p.minute, p.second);
  return wall - seconds;
}

/** Local date (days since 1970-01-01) of an instant in the zone. */
function localDay(zone: string, ms: number): number {
  return Math.floor((ms + offsetAt(zone, ms)) / DAY_MS);
}

const conversions = new Map<string, number>();

/**
 * The instant a local wall time denotes ('compatible': a time in a gap moves forward by the gap,
 * a repeated time is its first occurrence). `wall` = local time as if it were UTC, in ms.
 */
export function wallToInstant(zone: string, wall: number): number {
  const key = `${zone}|${wall}`;
  const cached = conversions.get(key);
  if (cached !== undefined) return cached;
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const candidates = [wall - before, wall - after].filter((c) => c + offsetAt(zone, c) === wall);
  // Two candidates: a repeated time, the earlier wins. None: a gap, read with the offset before it.
  const instant = candidates.length ? Math.min(...candidates) : wall - before;
  if (conversions.size > 100_000) conversions.clear();
  conversions.set(key, instant);
  return instant;
}

// ------------------------------------------------------------------------------- calculation

interface Compiled {
  zone: string;
  /** per JS weekday (0 = Sunday): [startMinute, endMinute) from local midnight, end up to 2880 */
  days: [number, number][][];
  holidays: Set<string>;
  open: boolean;
}

const compiledCache = new WeakMap<BusinessCalendarSpec, Compiled>();

function compile(cal: BusinessCalendarSpec): Compiled {
  const hit = compiledCache.get(cal);
  if (hit) return hit;
  const days: [number, number][][] = [[], [], [], [], [], [], []];
  WEEKDAYS.forEach((d, i) => {
    const js = (i + 1) % 7;
    for (const iv of cal.weeklyHours[d] ?? []) {
      const from = minutesOf(iv.start);
      let to = minutesOf(iv.end);
      if (Number.isNaN(from) || Number.isNaN(to)) throw new Error(`invalid business hours on ${d}`);
      if (to <= from) to += 1440;
      days[js].push([from, to]);
    }
    days[js].sort((a, b) => a[0] - b[0]);
  });
  const compiled: Compiled = {
    zone: cal.timeZone,
    days,
    holidays: new Set(cal.holidays ?? []),
    open: days.some((d) => d.length > 0),
  };
  compiledCache.set(cal, compiled);
  return compiled;
}

const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The open intervals (instants, ms) of the intervals that start on a local date, in order. */
function intervalsOf(c: Compiled, day: number): [number, number][] {
  const list = c.days[(((day + 4) % 7) + 7) % 7];
  if (list.length === 0 || c.holidays.has(isoDate(day))) return [];
  return list.map(([from, to]) => [
    wallToInstant(c.zone, day * DAY_MS + from * MINUTE_MS),
    wallToInstant(c.zone, day * DAY_MS + to * MINUTE_MS),
  ]);
}

/**
 * The open intervals from the local day before `fromDay` on (overnight hours of the previous day
 * reach into it), in chronological order, clipped so that none overlaps the one before.
 */
function* openIntervals(c: Compiled, fromDay: number, lastDay: number): Generator<[number, number]> {
  let previousEnd = -Infinity;
  for (let day = fromDay - 1; day <= lastDay; day++) {
    for (const [s, e] of intervalsOf(c, day)) {
      const start = Math.max(s, previousEnd);
      if (e <= start) continue;
      previousEnd = e;
      yield [start, e];
    }
  }
}

const toMs = (d: Date, name: string): number => {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new DomainError('BAD_REQUEST', `${name} must be a valid date.`);
  return ms;
};

/**
 * The instant `minutes` business minutes after `start`. The clock runs only while the calendar is
 * open: from outside business hours it starts at the next opening, so 0 minutes gives `start`
 * itself when open, else the next opening. Fractional minutes are honoured to the millisecond.
 * A calendar with no hours at all, or no opening within SEARCH_LIMIT_DAYS, is a 400.
 */
export function addBusinessMinutes(cal: BusinessCalendarSpec, start: Date, minutes: number): Date {
  const from = toMs(start, 'start');
  if (!Number.isFinite(minutes) || minutes < 0)
    throw new DomainError('BAD_REQUEST', 'Business minutes must be a finite number ≥ 0.');
  const c = compile(cal);
  if (!c.open)
    throw new DomainError(
      'VALIDATION_FAILED',
      'The business calendar has no business hours: no due time can be computed.',
      [{ field: 'weeklyHours', code: 'no_hours', message: 'weeklyHours must open at least one interval' }],
    );
  let remaining = Math.round(minutes * MINUTE_MS);
  const firstDay = localDay(c.zone, from);
  for (const [s, e] of openIntervals(c, firstDay, firstDay + SEARCH_LIMIT_DAYS)) {
    if (e <= from) continue;
    const begin = Math.max(s, from);
    if (e - begin >= remaining) return new Date(begin + remaining);
    remaining -= e - begin;
  }
  throw new DomainError(
    'VALIDATION_FAILED',
    `The business calendar has no business hours within ${SEARCH_LIMIT_DAYS} days of ${start.toISOString()}.`,
    [{ field: 'holidays', code: 'no_hours', message: 'the calendar is closed for too long' }],
  );
}

/**
 * Business minutes between two instants (fractional: ms / 60 000); 0 when `to` is not after
 * `from`. A calendar with no hours gives 0.
 */
export function businessMinutesBetween(cal: BusinessCalendarSpec, from: Date, to: Date): number {
  const a = toMs(from, 'from');
  const b = toMs(to, 'to');
  if (b <= a) return 0;
  const c = compile(cal);
  if (!c.open) return 0;
  let total = 0;
  for (const [s, e] of openIntervals(c, localDay(c.zone, a), localDay(c.zone, b))) {
    if (s >= b) break;
    if (e <= a) continue;
    total += Math.min(e, b) - Math.max(s, a);
  }
  return total / MINUTE_MS;
}

/** Whether the calendar is open at an instant. */
export function isOpenAt(cal: BusinessCalendarSpec, at: Date): boolean {
  const t = toMs(at, 'at');
  const c = compile(cal);
  if (!c.open) return false;
  const day = localDay(c.zone, t);
  for (const [s, e] of openIntervals(c, day, day + 1)) if (s <= t && t < e) return true;
  return false;
}

import { DomainError } from '../../src/platform/http/domain-error.js';
import {
  addBusinessMinutes,
  ALWAYS_OPEN,
  BusinessCalendarSpec,
  BusinessInterval,
  businessMinutesBetween,
  calendarIssues,
  isOpenAt,
  validateCalendar,
  Weekday,
} from '../../src/modules/service/sla/business-time.js';

// Every expected value below is computed by hand from the zone rules:
// Europe/Berlin CET = UTC+1, CEST = UTC+2; 2026-03-29 02:00 CET → 03:00 CEST (01:00Z),
// 2026-10-25 03:00 CEST → 02:00 CET (01:00Z). America/New_York EST = UTC−5, EDT = UTC−4;
// 2026-03-08 02:00 EST → 03:00 EDT (07:00Z), 2026-11-01 02:00 EDT → 01:00 EST (06:00Z).

const NONE: Record<Weekday, BusinessInterval[]> = {
  mon: [],
  tue: [],
  wed: [],
  thu: [],
  fri: [],
  sat: [],
  sun: [],
};
const hours = (start: string, end: string) => [{ start, end }];
const weekdays = (start: string, end: string): Record<Weekday, BusinessInterval[]> => ({
  ...NONE,
  mon: hours(start, end),
  tue: hours(start, end),
  wed: hours(start, end),
  thu: hours(start, end),
  fri: hours(start, end),
});
const cal = (
  timeZone: string,
  weeklyHours: Partial<Record<Weekday, BusinessInterval[]>>,
  holidays: string[] = [],
): BusinessCalendarSpec => validateCalendar({ timeZone, weeklyHours: { ...NONE, ...weeklyHours }, holidays });
const allDay = (timeZone: string) =>
  cal(timeZone, Object.fromEntries(Object.keys(NONE).map((d) => [d, hours('00:00', '24:00')])));

const at = (iso: string) => new Date(iso);
const add = (c: BusinessCalendarSpec, start: string, minutes: number) =>
  addBusinessMinutes(c, at(start), minutes).toISOString();
const between = (c: BusinessCalendarSpec, from: string, to: string) =>
  businessMinutesBetween(c, at(from), at(to));

const BERLIN_OFFICE = cal('Europe/Berlin', weekdays('09:00', '17:00'));
const NY_OFFICE = cal('America/New_York', weekdays('09:00', '17:00'));

describe('business time', () => {
  describe('weekdays 09:00–17:00', () => {
    it('stays within the day when the target fits', () => {
      // Tue 2026-06-02 10:00 CEST = 08:00Z, + 3 h
      expect(add(BERLIN_OFFICE, '2026-06-02T08:00:00Z', 180)).toBe('2026-06-02T11:00:00.000Z');
    });

    it('ends exactly at closing time rather than at the next opening', () => {
      // Fri 2026-06-05 16:00 CEST = 14:00Z, + 60 → 17:00 CEST the same day
      expect(add(BERLIN_OFFICE, '2026-06-05T14:00:00Z', 60)).toBe('2026-06-05T15:00:00.000Z');
    });

    it('crosses the weekend', () => {
      // Fri 2026-06-05 16:00 CEST + 120: 60 on Friday, 60 on Monday from 09:00 CEST → 10:00 CEST
      expect(add(BERLIN_OFFICE, '2026-06-05T14:00:00Z', 120)).toBe('2026-06-08T08:00:00.000Z');
      expect(between(BERLIN_OFFICE, '2026-06-05T14:00:00Z', '2026-06-08T08:00:00Z')).toBe(120);
    });

    it('starts the clock at the next opening when started outside hours', () => {
      // Sat 2026-06-06 12:00Z → Mon 2026-06-08 09:00 CEST (07:00Z) + 30
      expect(add(BERLIN_OFFICE, '2026-06-06T12:00:00Z', 30)).toBe('2026-06-08T07:30:00.000Z');
      // Tue 2026-06-02 06:00 CEST (04:00Z, before opening) + 60 → 10:00 CEST
      expect(add(BERLIN_OFFICE, '2026-06-02T04:00:00Z', 60)).toBe('2026-06-02T08:00:00.000Z');
    });

    it('adds zero minutes: the start when open, else the next opening', () => {
      expect(add(BERLIN_OFFICE, '2026-06-02T08:15:00Z', 0)).toBe('2026-06-02T08:15:00.000Z');
      // Tue 20:00 CEST → Wed 09:00 CEST
      expect(add(BERLIN_OFFICE, '2026-06-02T18:00:00Z', 0)).toBe('2026-06-03T07:00:00.000Z');
      // at closing time exactly, the clock is not running: the next opening
      expect(add(BERLIN_OFFICE, '2026-06-02T15:00:00Z', 0)).toBe('2026-06-03T07:00:00.000Z');
    });

    it('counts whole weeks: 5 days of 8 hours', () => {
      expect(between(BERLIN_OFFICE, '2026-06-01T00:00:00Z', '2026-06-08T00:00:00Z')).toBe(2400);
      // Mon 09:00 CEST + 2400 minutes = the next Monday's closing time, not Tuesday
      expect(add(BERLIN_OFFICE, '2026-06-01T07:00:00Z', 2400)).toBe('2026-06-05T15:00:00.000Z');
    });

    it('gives fractional minutes to the millisecond', () => {
      expect(between(BERLIN_OFFICE, '2026-06-02T08:00:00Z', '2026-06-02T08:00:30Z')).toBe(0.5);
      expect(add(BERLIN_OFFICE, '2026-06-02T08:00:00Z', 0.5)).toBe('2026-06-02T08:00:30.000Z');
    });

    it('is 0 for an empty or reversed range', () => {
      expect(between(BERLIN_OFFICE, '2026-06-02T10:00:00Z', '2026-06-02T10:00:00Z')).toBe(0);
      expect(between(BERLIN_OFFICE, '2026-06-02T10:00:00Z', '2026-06-02T09:00:00Z')).toBe(0);
    });
  });

  describe('DST in Europe/Berlin', () => {
    it('keeps a 09:00–17:00 day at 8 hours after spring-forward night', () => {
      // Mon 2026-03-30 is CEST: 07:00Z–15:00Z
      expect(between(BERLIN_OFFICE, '2026-03-30T00:00:00Z', '2026-03-31T00:00:00Z')).toBe(480);
    });

    it('crosses the spring-forward weekend: Friday in CET, Monday in CEST', () => {
      // Fri 2026-03-27 16:00 CET = 15:00Z, + 120 → Mon 2026-03-30 10:00 CEST = 08:00Z
      expect(add(BERLIN_OFFICE, '2026-03-27T15:00:00Z', 120)).toBe('2026-03-30T08:00:00.000Z');
      // Fri 09:00 CET (08:00Z) to Mon 17:00 CEST (15:00Z): two full days
      expect(between(BERLIN_OFFICE, '2026-03-27T08:00:00Z', '2026-03-30T15:00:00Z')).toBe(960);
    });

    it('crosses the fall-back weekend: Friday in CEST, Monday in CET', () => {
      // Fri 2026-10-23 16:00 CEST = 14:00Z, + 120 → Mon 2026-10-26 10:00 CET = 09:00Z
      expect(add(BERLIN_OFFICE, '2026-10-23T14:00:00Z', 120)).toBe('2026-10-26T09:00:00.000Z');
      expect(between(BERLIN_OFFICE, '2026-10-26T00:00:00Z', '2026-10-27T00:00:00Z')).toBe(480);
    });

    it('makes an overnight interval spanning the spring-forward gap one hour shorter', () => {
      // Sat 2026-03-28 22:00 CET (21:00Z) to Sun 06:00 CEST (04:00Z): 7 real hours, not 8
      const nights = cal('Europe/Berlin', { sat: hours('22:00', '06:00') });
      expect(between(nights, '2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z')).toBe(420);
      expect(add(nights, '2026-03-28T21:00:00Z', 360)).toBe('2026-03-29T03:00:00.000Z');
      // 420 minutes use the whole night; the 421st is the next Saturday 22:00 CEST (20:00Z)
      expect(add(nights, '2026-03-28T21:00:00Z', 421)).toBe('2026-04-04T20:01:00.000Z');
    });

    it('counts the repeated fall-back hour once per real minute (one hour longer)', () => {
      // Sat 2026-10-24 22:00 CEST (20:00Z) to Sun 06:00 CET (05:00Z): 9 real hours
      const nights = cal('Europe/Berlin', { sat: hours('22:00', '06:00') });
      expect(between(nights, '2026-10-24T00:00:00Z', '2026-10-26T00:00:00Z')).toBe(540);
      expect(add(nights, '2026-10-24T20:00:00Z', 480)).toBe('2026-10-25T04:00:00.000Z');
    });

    it('reads a wall time in the gap as after the gap and a repeated one as its first occurrence', () => {
      // Sun 2026-03-29 02:30 does not exist → 03:30 CEST (01:30Z); 05:00 CEST = 03:00Z
      const spring = cal('Europe/Berlin', { sun: hours('02:30', '05:00') });
      expect(between(spring, '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z')).toBe(90);
      expect(add(spring, '2026-03-29T00:00:00Z', 0)).toBe('2026-03-29T01:30:00.000Z');
      // Sun 2026-10-25 02:30 happens twice → the first, 02:30 CEST (00:30Z); 04:00 CET = 03:00Z
      const autumn = cal('Europe/Berlin', { sun: hours('02:30', '04:00') });
      expect(between(autumn, '2026-10-25T00:00:00Z', '2026-10-26T00:00:00Z')).toBe(150);
    });

    it('makes the 24/7 local day 23 and 25 hours long on the switch days', () => {
      const berlin = allDay('Europe/Berlin');
      // Sun 2026-03-29 00:00 CET (28th 23:00Z) to Mon 00:00 CEST (29th 22:00Z)
      expect(between(berlin, '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z')).toBe(1380);
      expect(between(berlin, '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z')).toBe(1500);
      // around the clock, business time is real time across the switch
      expect(add(berlin, '2026-03-29T00:30:00Z', 90)).toBe('2026-03-29T02:00:00.000Z');
    });
  });

  describe('DST in America/New_York', () => {
    it('crosses the spring-forward weekend of 2026-03-08', () => {
      // Fri 2026-03-06 16:00 EST = 21:00Z, + 120 → Mon 2026-03-09 10:00 EDT = 14:00Z
      expect(add(NY_OFFICE, '2026-03-06T21:00:00Z', 120)).toBe('2026-03-09T14:00:00.000Z');
      expect(between(NY_OFFICE, '2026-03-09T00:00:00Z', '2026-03-10T00:00:00Z')).toBe(480);
    });

    it('crosses the fall-back weekend of 2026-11-01', () => {
      // Fri 2026-10-30 16:00 EDT = 20:00Z, + 120 → Mon 2026-11-02 10:00 EST = 15:00Z
      expect(add(NY_OFFICE, '2026-10-30T20:00:00Z', 120)).toBe('2026-11-02T15:00:00.000Z');
    });

    it('gives 23 and 25 real hours to the switch days of a 24/7 calendar', () => {
      const ny = allDay('America/New_York');
      // Sun 2026-03-08 00:00 EST (05:00Z) to Mon 00:00 EDT (04:00Z)
      expect(between(ny, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z')).toBe(1380);
      // Sun 2026-11-01 00:00 EDT (04:00Z) to Mon 00:00 EST (05:00Z)
      expect(between(ny, '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')).toBe(1500);
      expect(add(ny, '2026-11-01T04:00:00Z', 1440)).toBe('2026-11-02T04:00:00.000Z');
    });

    it('reads 01:30 on fall-back day as its first occurrence (EDT)', () => {
      // Sun 2026-11-01 01:30 EDT = 05:30Z to 03:00 EST = 08:00Z: 150 real minutes
      const c = cal('America/New_York', { sun: hours('01:30', '03:00') });
      expect(between(c, '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z')).toBe(150);
    });
  });

  describe('holidays', () => {
    const XMAS = cal('Europe/Berlin', weekdays('09:00', '17:00'), [
      '2026-12-24',
      '2026-12-25',
      '2026-12-31',
      '2027-01-01',
    ]);

    it('skips holidays like weekends', () => {
      // Wed 2026-12-23 16:00 CET (15:00Z) + 120: 60 on Wednesday, Thu+Fri holidays, weekend,
      // 60 on Mon 2026-12-28 from 09:00 CET → 10:00 CET = 09:00Z
      expect(add(XMAS, '2026-12-23T15:00:00Z', 120)).toBe('2026-12-28T09:00:00.000Z');
      expect(between(XMAS, '2026-12-21T00:00:00Z', '2027-01-04T00:00:00Z')).toBe(6 * 480);
    });

    it('removes an overnight interval that starts on a holiday, not the one running into it', () => {
      // Night shift Mon–Fri 22:00–06:00 UTC; Tue 2026-06-02 is a holiday: Mon night (Mon 22:00 to
      // Tue 06:00) still counts, Tue night (Tue 22:00 to Wed 06:00) does not.
      const nights = cal('UTC', weekdays('22:00', '06:00'), ['2026-06-02']);
      expect(between(nights, '2026-06-01T00:00:00Z', '2026-06-03T12:00:00Z')).toBe(480);
      // Tue 05:00 + 120: 60 until 06:00, then Wed 22:00 + 60
      expect(add(nights, '2026-06-02T05:00:00Z', 120)).toBe('2026-06-03T23:00:00.000Z');
      expect(isOpenAt(nights, at('2026-06-02T05:59:00Z'))).toBe(true);
      expect(isOpenAt(nights, at('2026-06-02T23:00:00Z'))).toBe(false);
    });
  });

  describe('overnight hours', () => {
    const NIGHT = cal('UTC', { mon: hours('22:00', '06:00') });

    it('runs from the start day into the next', () => {
      // Mon 2026-06-01 23:00Z + 300 → Tue 04:00Z
      expect(add(NIGHT, '2026-06-01T23:00:00Z', 300)).toBe('2026-06-02T04:00:00.000Z');
      expect(between(NIGHT, '2026-06-01T00:00:00Z', '2026-06-08T00:00:00Z')).toBe(480);
    });

    it('continues a clock started on the next day inside the overnight interval', () => {
      // Tue 2026-06-02 03:00Z is inside Monday's night: 180 left, then the next Monday 22:00
      expect(add(NIGHT, '2026-06-02T03:00:00Z', 200)).toBe('2026-06-08T22:20:00.000Z');
    });

    it("accepts '24:00' as an end and joins days without a gap", () => {
      const c = cal('UTC', { mon: hours('18:00', '24:00'), tue: hours('00:00', '02:00') });
      expect(add(c, '2026-06-01T23:00:00Z', 120)).toBe('2026-06-02T01:00:00.000Z');
    });
  });

  describe('pause across a weekend', () => {
    // What the case service does: elapsed business time is banked when the clock pauses, and on
    // resume the due time is the remaining business minutes from the resume time.
    it('resumes with the banked time after a pending weekend', () => {
      const created = '2026-03-27T14:00:00Z'; // Fri 15:00 CET
      const target = 480;
      // without a pause: Fri 15:00–17:00 (120), Mon 09:00–15:00 CEST (360) → 13:00Z
      expect(add(BERLIN_OFFICE, created, target)).toBe('2026-03-30T13:00:00.000Z');
      // paused (pending) Fri 16:00 CET, resumed Mon 2026-03-30 11:00 CEST (09:00Z)
      const banked = between(BERLIN_OFFICE, created, '2026-03-27T15:00:00Z');
      expect(banked).toBe(60);
      // 420 left from Mon 11:00: 360 on Monday, 60 on Tuesday → Tue 10:00 CEST = 08:00Z
      expect(add(BERLIN_OFFICE, '2026-03-30T09:00:00Z', target - banked)).toBe('2026-03-31T08:00:00.000Z');
    });

    it('loses nothing when paused and resumed outside hours', () => {
      const created = '2026-06-05T13:00:00Z'; // Fri 15:00 CEST
      const banked = between(BERLIN_OFFICE, created, '2026-06-06T10:00:00Z'); // paused Saturday
      expect(banked).toBe(120);
      // resumed Sunday: the clock restarts Monday 09:00 CEST; 360 left → 15:00 CEST = 13:00Z
      expect(add(BERLIN_OFFICE, '2026-06-07T10:00:00Z', 480 - banked)).toBe('2026-06-08T13:00:00.000Z');
      // the same as never pausing, since the pause covered no business time
      expect(add(BERLIN_OFFICE, created, 480)).toBe('2026-06-08T13:00:00.000Z');
    });
  });

  describe('24/7', () => {
    it('is real time', () => {
      expect(add(ALWAYS_OPEN, '2026-03-29T00:30:00Z', 90)).toBe('2026-03-29T02:00:00.000Z');
      expect(add(ALWAYS_OPEN, '2026-06-06T12:00:00Z', 0)).toBe('2026-06-06T12:00:00.000Z');
      expect(add(ALWAYS_OPEN, '2026-06-01T00:00:00Z', 7 * 1440 + 1)).toBe('2026-06-08T00:01:00.000Z');
      expect(between(ALWAYS_OPEN, '2026-06-01T00:00:00Z', '2026-07-01T00:00:00Z')).toBe(30 * 1440);
    });
  });

  describe('guards', () => {
    it('refuses a calendar without hours instead of searching forever', () => {
      const closed = cal('UTC', {});
      expect(() => addBusinessMinutes(closed, at('2026-06-01T00:00:00Z'), 60)).toThrow(DomainError);
      expect(between(closed, '2026-06-01T00:00:00Z', '2026-07-01T00:00:00Z')).toBe(0);
    });

    it('gives up after three years without an opening', () => {
      // open on Mondays only, and every Monday from 2026 to 2030 is a holiday
      const mondays: string[] = [];
      for (let t = Date.UTC(2026, 0, 5); t < Date.UTC(2030, 0, 1); t += 7 * 86_400_000)
        mondays.push(new Date(t).toISOString().slice(0, 10));
      const c = cal('UTC', { mon: hours('09:00', '17:00') }, mondays);
      expect(() => addBusinessMinutes(c, at('2026-01-01T00:00:00Z'), 1)).toThrow(/no business hours within/);
    });

    it('refuses negative or non-finite minutes', () => {
      expect(() => addBusinessMinutes(ALWAYS_OPEN, at('2026-06-01T00:00:00Z'), -1)).toThrow(DomainError);
      expect(() => addBusinessMinutes(ALWAYS_OPEN, at('2026-06-01T00:00:00Z'), NaN)).toThrow(DomainError);
    });
  });

  describe('validation', () => {
    const fields = (spec: unknown) => calendarIssues(spec).map((i) => `${i.field}:${i.code}`);

    it('accepts a valid calendar and normalises it', () => {
      const spec = validateCalendar({
        timeZone: 'Europe/Berlin',
        weeklyHours: {
          mon: [
            { start: '13:00', end: '17:00' },
            { start: '09:00', end: '12:00' },
          ],
        },
        holidays: ['2026-12-25', '2026-12-24', '2026-12-25'],
      });
      expect(spec.weeklyHours.mon.map((i) => i.start)).toEqual(['09:00', '13:00']);
      expect(spec.weeklyHours.sun).toEqual([]);
      expect(spec.holidays).toEqual(['2026-12-24', '2026-12-25']);
    });

    it('names a bad time zone', () => {
      expect(fields({ timeZone: 'Mars/Olympus', weeklyHours: {}, holidays: [] })).toEqual([
        'timeZone:invalid_time_zone',
      ]);
    });

    it('names bad times', () => {
      expect(
        fields({
          timeZone: 'UTC',
          weeklyHours: { mon: [{ start: '24:00', end: '25:00' }], tue: [{ start: '9:00', end: '17:00' }] },
          holidays: [],
        }),
      ).toEqual([
        'weeklyHours.mon[0].start:invalid_time',
        'weeklyHours.mon[0].end:invalid_time',
        'weeklyHours.tue[0].start:invalid_time',
      ]);
    });

    it('names overlapping intervals, overnight and across the week', () => {
      expect(
        fields({
          timeZone: 'UTC',
          weeklyHours: { mon: [{ start: '22:00', end: '06:00' }], tue: [{ start: '05:00', end: '09:00' }] },
        }),
      ).toEqual(['weeklyHours.tue[0]:overlap']);
      expect(
        fields({
          timeZone: 'UTC',
          weeklyHours: { sun: [{ start: '22:00', end: '06:00' }], mon: [{ start: '05:30', end: '07:00' }] },
        }),
      ).toEqual(['weeklyHours.sun[0]:overlap']);
      expect(
        fields({
          timeZone: 'UTC',
          weeklyHours: {
            wed: [
              { start: '09:00', end: '12:00' },
              { start: '11:00', end: '13:00' },
            ],
          },
        }),
      ).toEqual(['weeklyHours.wed[1]:overlap']);
      // touching is not overlapping
      expect(
        fields({
          timeZone: 'UTC',
          weeklyHours: {
            mon: [
              { start: '09:00', end: '12:00' },
              { start: '12:00', end: '24:00' },
            ],
            tue: [{ start: '00:00', end: '01:00' }],
          },
        }),
      ).toEqual([]);
    });

    it('names bad dates and unknown days', () => {
      expect(
        fields({
          timeZone: 'UTC',
          weeklyHours: { monday: [] },
          holidays: ['2026-02-30', '2026-12-24', 'xmas'],
        }),
      ).toEqual(['weeklyHours.monday:unknown_day', 'holidays[0]:invalid_date', 'holidays[2]:invalid_date']);
    });

    it('throws a 400 naming the fields', () => {
      try {
        validateCalendar({ timeZone: 'nowhere', weeklyHours: {}, holidays: [] }, 'calendar.');
        throw new Error('expected a DomainError');
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        expect((e as DomainError).code).toBe('VALIDATION_FAILED');
        expect((e as DomainError).errors[0].field).toBe('calendar.timeZone');
      }
    });
  });
});

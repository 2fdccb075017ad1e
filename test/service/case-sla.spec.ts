import { NO_POLICY, settle, type SlaState, type SlaTerms } from '../../src/modules/service/cases/case-sla.js';
import type { BusinessCalendarSpec } from '../../src/modules/service/sla/business-time.js';

/** Mon–Fri 09:00–17:00 Europe/Berlin (CET = UTC+1 in November). */
const BERLIN: BusinessCalendarSpec = {
  timeZone: 'Europe/Berlin',
  weeklyHours: {
    mon: [{ start: '09:00', end: '17:00' }],
    tue: [{ start: '09:00', end: '17:00' }],
    wed: [{ start: '09:00', end: '17:00' }],
    thu: [{ start: '09:00', end: '17:00' }],
    fri: [{ start: '09:00', end: '17:00' }],
    sat: [],
    sun: [],
  },
  holidays: ['2026-11-23'],
};

const terms: SlaTerms = {
  ...NO_POLICY,
  policyId: 'p',
  calendar: BERLIN,
  firstResponseMinutes: 60,
  resolutionMinutes: 120,
  pauseOnPending: true,
  pauseOnHold: false,
  warnBeforeMinutes: 30,
};

const created = new Date('2026-11-20T15:00:00Z'); // Fri 16:00 CET
const fresh: SlaState = {
  status: 'new',
  createdAt: created,
  firstRespondedAt: null,
  resolvedAt: null,
  firstResponseDueAt: null,
  resolutionDueAt: null,
  firstResponseBreached: false,
  resolutionBreached: false,
  resolutionElapsedMinutes: 0,
  resolutionClockStartedAt: null,
  pausedAt: null,
  businessFirstResponseMinutes: null,
  businessResolutionMinutes: null,
};

/** The SLA clock of one case through its statuses (case-sla.ts `settle`), hand-computed. */
describe('settle: the case SLA clock', () => {
  it('starts both clocks at creation, with warn times before the due times', () => {
    const s = settle(fresh, terms, created);
    // 60 business minutes from Fri 16:00: Fri 17:00; Monday 23 Nov is a holiday.
    expect(s.firstResponseDueAt).toEqual(new Date('2026-11-20T16:00:00Z'));
    expect(s.firstResponseWarnAt).toEqual(new Date('2026-11-20T15:30:00Z'));
    // 120 minutes: 60 on Friday, 60 on Tuesday from 09:00 CET.
    expect(s.resolutionDueAt).toEqual(new Date('2026-11-24T09:00:00Z'));
    expect(s.resolutionWarnAt).toEqual(new Date('2026-11-24T08:30:00Z'));
    expect(s.resolutionClockStartedAt).toEqual(created);
  });

  it('pauses across the weekend (and a holiday) and resumes with what was left', () => {
    const running = settle(fresh, terms, created);
    const pendingAt = new Date('2026-11-20T15:30:00Z'); // Fri 16:30: 30 minutes used
    const paused = settle({ ...fresh, ...running, status: 'pending' }, terms, pendingAt);
    expect(paused).toMatchObject({
      resolutionDueAt: null,
      resolutionWarnAt: null,
      pausedAt: pendingAt,
      resolutionClockStartedAt: null,
      resolutionElapsedMinutes: 30,
    });
    const resumeAt = new Date('2026-11-24T09:00:00Z'); // Tue 10:00 CET
    const resumed = settle({ ...fresh, ...paused, status: 'open' }, terms, resumeAt);
    // 90 minutes left from Tue 10:00: Tue 11:30 CET.
    expect(resumed).toMatchObject({
      resolutionDueAt: new Date('2026-11-24T10:30:00Z'),
      resolutionWarnAt: new Date('2026-11-24T10:00:00Z'),
      pausedAt: null,
      resolutionClockStartedAt: resumeAt,
    });
    const solvedAt = new Date('2026-11-24T11:00:00Z'); // Tue 12:00: 30 + 120 = 150 > 120
    const solved = settle({ ...fresh, ...resumed, status: 'solved', resolvedAt: solvedAt }, terms, solvedAt);
    expect(solved).toMatchObject({
      businessResolutionMinutes: 150,
      resolutionBreached: true,
      pausedAt: null,
    });
  });

  it('keeps running while onHold when the policy does not pause it', () => {
    const running = settle(fresh, terms, created);
    const held = settle({ ...fresh, ...running, status: 'onHold' }, terms, new Date('2026-11-20T15:30:00Z'));
    expect(held.pausedAt).toBeNull();
    expect(held.resolutionDueAt).toEqual(running.resolutionDueAt);
  });

  it('measures the first response in business minutes and flags a late one', () => {
    const answered = settle(
      { ...fresh, firstRespondedAt: new Date('2026-11-24T08:10:00Z') }, // Tue 09:10 CET
      terms,
      new Date('2026-11-24T08:10:00Z'),
    );
    // Fri 16:00–17:00 (60) + Tue 09:00–09:10 (10)
    expect(answered).toMatchObject({ businessFirstResponseMinutes: 70, firstResponseBreached: true });
    expect(answered.firstResponseWarnAt).toBeNull();
  });
});

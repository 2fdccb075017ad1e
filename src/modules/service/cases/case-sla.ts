import {
  addBusinessMinutes,
  ALWAYS_OPEN,
  type BusinessCalendarSpec,
  businessMinutesBetween,
} from '../sla/business-time.js';
import type { CaseStatus } from './case.object.js';

/** What an SLA policy asks of a case (SlaService.matchPolicy), or the defaults without a policy. */
export interface SlaTerms {
  policyId: string | null;
  calendar: BusinessCalendarSpec;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  pauseOnPending: boolean;
  pauseOnHold: boolean;
  warnBeforeMinutes: number | null;
}

/** Without a policy the clocks still run (24/7 UTC), so business minutes exist for metrics. */
export const NO_POLICY: SlaTerms = {
  policyId: null,
  calendar: ALWAYS_OPEN,
  firstResponseMinutes: null,
  resolutionMinutes: null,
  pauseOnPending: false,
  pauseOnHold: false,
  warnBeforeMinutes: null,
};

/** The SLA columns of a case as stored. */
export interface SlaState {
  status: CaseStatus;
  createdAt: Date;
  firstRespondedAt: Date | null;
  resolvedAt: Date | null;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
  resolutionElapsedMinutes: number;
  resolutionClockStartedAt: Date | null;
  pausedAt: Date | null;
  businessFirstResponseMinutes: number | null;
  businessResolutionMinutes: number | null;
}

/** The columns `settle` writes (the state plus the escalation scan's warn times and the policy). */
export interface SlaColumns extends Omit<SlaState, 'status' | 'createdAt'> {
  slaPolicyId: string | null;
  firstResponseWarnAt: Date | null;
  resolutionWarnAt: Date | null;
}

const STOPPED: readonly CaseStatus[] = ['solved', 'closed'];

/** Whether the resolution clock runs in this status under these terms. */
export function clockRuns(status: CaseStatus, terms: SlaTerms): boolean {
  if (STOPPED.includes(status)) return false;
  if (status === 'pending') return !terms.pauseOnPending;
  if (status === 'onHold') return !terms.pauseOnHold;
  return true;
}

/**
 * The SLA columns after whatever just happened to the case (created, status or priority changed,
 * first response, solved, reopened), as of `now`. One function for every event, so that
 * pause/resume and recomputation cannot disagree (docs/service.md#sla-clock):
 * - first response: due = created_at + target business minutes; the first public agent reply
 *   records the business minutes it took and whether it was late;
 * - resolution: the clock accumulates business minutes over the periods it ran; when it runs,
 *   due = (start of the current run) + (target − minutes already used); while paused or stopped
 *   there is no due time; at solve the total is stored and compared with the target;
 * - warn times are `warnBeforeMinutes` business minutes before the due times (= the due time
 *   without a warning), for the escalation scan.
 */
export function settle(state: SlaState, terms: SlaTerms, now: Date): SlaColumns {
  const cal = terms.calendar;
  const out: SlaColumns = {
    ...state,
    slaPolicyId: terms.policyId,
    firstResponseWarnAt: null,
    resolutionWarnAt: null,
  };
  delete (out as Partial<SlaState>).status;
  delete (out as Partial<SlaState>).createdAt;

  // First response.
  const fr = terms.firstResponseMinutes;
  out.firstResponseDueAt = fr !== null ? addBusinessMinutes(cal, state.createdAt, fr) : null;
  if (fr !== null && out.firstRespondedAt === null)
    out.firstResponseWarnAt = warnAt(cal, state.createdAt, fr, 0, terms.warnBeforeMinutes);
  if (state.firstRespondedAt !== null) {
    out.businessFirstResponseMinutes = round3(
      businessMinutesBetween(cal, state.createdAt, state.firstRespondedAt),
    );
    if (out.firstResponseDueAt && state.firstRespondedAt > out.firstResponseDueAt)
      out.firstResponseBreached = true;
  }

  // Resolution clock: bank the running segment when it stops, start a segment when it resumes.
  const runs = clockRuns(state.status, terms);
  const stopped = STOPPED.includes(state.status);
  if (out.resolutionClockStartedAt !== null && !runs) {
    out.resolutionElapsedMinutes = round3(
      out.resolutionElapsedMinutes + businessMinutesBetween(cal, out.resolutionClockStartedAt, now),
    );
    out.resolutionClockStartedAt = null;
  }
  if (runs && out.resolutionClockStartedAt === null) out.resolutionClockStartedAt = now;
  out.pausedAt = runs || stopped ? null : (state.pausedAt ?? now);

  const rm = terms.resolutionMinutes;
  if (stopped) {
    out.businessResolutionMinutes = out.resolutionElapsedMinutes;
    if (rm !== null && out.resolutionElapsedMinutes > rm) out.resolutionBreached = true;
    // The due time the case was measured against stays for reference. Solved while its clock was
    // paused, it has none: record the one it had when the clock stopped (the paused time plus the
    // minutes it had left), so that the case still counts in resolution SLA attainment.
    if (rm !== null && out.resolutionDueAt === null)
      out.resolutionDueAt = addBusinessMinutes(
        cal,
        state.pausedAt ?? now,
        Math.max(0, rm - out.resolutionElapsedMinutes),
      );
  } else {
    out.businessResolutionMinutes = null;
    if (rm !== null && out.resolutionClockStartedAt !== null) {
      const left = Math.max(0, rm - out.resolutionElapsedMinutes);
      out.resolutionDueAt = addBusinessMinutes(cal, out.resolutionClockStartedAt, left);
      out.resolutionWarnAt = warnAt(
        cal,
        out.resolutionClockStartedAt,
        rm,
        out.resolutionElapsedMinutes,
        terms.warnBeforeMinutes,
      );
    } else out.resolutionDueAt = null;
  }
  return out;
}

function warnAt(
  cal: BusinessCalendarSpec,
  from: Date,
  target: number,
  used: number,
  warnBefore: number | null,
): Date {
  const lead = warnBefore ?? 0;
  return addBusinessMinutes(cal, from, Math.max(0, target - lead - used));
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

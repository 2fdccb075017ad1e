import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../../platform/context/request-context.js';
import { SqlParams } from '../../../platform/query/sql.js';
import {
  addBusinessMinutes,
  ALWAYS_OPEN,
  type BusinessCalendarSpec,
  businessMinutesBetween,
} from './business-time.js';
import { conditionSql } from './sla-condition.js';

/** What the SLA policy that matched a case asks of it (SlaService.matchPolicy). */
export interface SlaPolicyMatch {
  policyId: string;
  policyName: string;
  /** the policy's own calendar, or null when it uses the tenant default (or 24/7 UTC) */
  calendarId: string | null;
  /** the calendar the targets count in: the policy's, else the tenant default, else ALWAYS_OPEN */
  calendar: BusinessCalendarSpec;
  /** targets in business minutes; null = the policy sets no such target */
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  pauseOnPending: boolean;
  pauseOnHold: boolean;
  /** approaching-breach threshold in business minutes before a due time; null = none */
  warnBeforeMinutes: number | null;
  /** escalation on a breach (null = do not) */
  escalatePriorityTo: 'low' | 'normal' | 'high' | 'urgent' | null;
  escalateQueueId: string | null;
  escalateAssigneeId: string | null;
}

/** A due time and when the case starts approaching it (= dueAt without warnBeforeMinutes). */
export interface SlaDue {
  dueAt: Date;
  warnAt: Date;
}

interface PolicyRow {
  id: string;
  name: string;
  condition: unknown;
  calendarId: string | null;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  pauseOnPending: boolean;
  pauseOnHold: boolean;
  warnBeforeMinutes: number | null;
  escalatePriorityTo: SlaPolicyMatch['escalatePriorityTo'];
  escalateQueueId: string | null;
  escalateAssigneeId: string | null;
  timeZone: string | null;
  weeklyHours: BusinessCalendarSpec['weeklyHours'] | null;
  holidays: string[] | null;
}

const POLICY_COLUMNS = `p.id, p.name, p.condition, p.calendar_id AS "calendarId",
  p.first_response_minutes AS "firstResponseMinutes", p.resolution_minutes AS "resolutionMinutes",
  p.pause_on_pending AS "pauseOnPending", p.pause_on_hold AS "pauseOnHold",
  p.warn_before_minutes AS "warnBeforeMinutes", p.escalate_priority_to AS "escalatePriorityTo",
  p.escalate_queue_id AS "escalateQueueId", p.escalate_assignee_id AS "escalateAssigneeId",
  c.time_zone AS "timeZone", c.weekly_hours AS "weeklyHours", c.holidays`;

/**
 * The SLA API the case service calls inside its own transaction (docs/service.md#sla-policies):
 * which policy applies to a case, and due times in that policy's business time. Not a
 * permission-checked operation: the policies are the administrator's, applied to every case.
 */
@Injectable()
export class SlaService {
  private readonly logger = new Logger('sla');

  /**
   * The first active live policy, by position, whose condition matches the case row (the
   * condition compiled by the query engine's filter compiler and evaluated in SQL against
   * `cases WHERE id = caseId`, in one statement for all policies); a policy without condition
   * matches every case. Null when none matches (or the case does not exist). A condition that no
   * longer compiles (a case field was removed since it was saved) skips its policy.
   */
  async matchPolicy(em: EntityManager, _ctx: RequestContext, caseId: string): Promise<SlaPolicyMatch | null> {
    const policies: PolicyRow[] = await em.query(
      `SELECT ${POLICY_COLUMNS}
         FROM sla_policies p
         LEFT JOIN business_calendars c ON c.tenant_id = p.tenant_id AND c.id = p.calendar_id AND c.deleted_at IS NULL
        WHERE p.active AND p.deleted_at IS NULL
        ORDER BY p.position, p.id`,
    );
    if (policies.length === 0) return null;
    const params = new SqlParams([caseId]);
    const arms: string[] = [];
    for (let i = 0; i < policies.length; i++) {
      let sql: string;
      try {
        sql = conditionSql(policies[i].condition, params);
      } catch (e) {
        this.logger.warn(
          `SLA policy ${policies[i].id} skipped: ${e instanceof Error ? e.message : String(e)}`,
        );
        continue;
      }
      arms.push(`WHEN (${sql}) THEN ${i}`);
      if (sql === 'TRUE') break;
    }
    if (arms.length === 0) return null;
    const rows: { hit: number | null }[] = await em.query(
      `SELECT CASE ${arms.join(' ')} END AS hit FROM cases t WHERE t.id = $1::uuid`,
      params.values,
    );
    const hit = rows[0]?.hit;
    if (hit === null || hit === undefined) return null;
    const p = policies[hit];
    const calendar =
      p.timeZone && p.weeklyHours
        ? { timeZone: p.timeZone, weeklyHours: p.weeklyHours, holidays: p.holidays ?? [] }
        : await this.defaultCalendar(em);
    return {
      policyId: p.id,
      policyName: p.name,
      calendarId: p.timeZone ? p.calendarId : null,
      calendar,
      firstResponseMinutes: p.firstResponseMinutes,
      resolutionMinutes: p.resolutionMinutes,
      pauseOnPending: p.pauseOnPending,
      pauseOnHold: p.pauseOnHold,
      warnBeforeMinutes: p.warnBeforeMinutes,
      escalatePriorityTo: p.escalatePriorityTo,
      escalateQueueId: p.escalateQueueId,
      escalateAssigneeId: p.escalateAssigneeId,
    };
  }

  /** The tenant's live default calendar, else 24/7 UTC (ALWAYS_OPEN). */
  async defaultCalendar(em: EntityManager): Promise<BusinessCalendarSpec> {
    const rows: BusinessCalendarSpec[] = await em.query(
      `SELECT time_zone AS "timeZone", weekly_hours AS "weeklyHours", holidays
         FROM business_calendars WHERE is_default AND deleted_at IS NULL`,
    );
    return rows[0] ?? ALWAYS_OPEN;
  }

  /** First-response due (and warn) time from the case's creation; null without that target. */
  firstResponseDue(match: SlaPolicyMatch, createdAt: Date): SlaDue | null {
    return dueAfter(match, match.firstResponseMinutes, createdAt, 0);
  }

  /**
   * Resolution due (and warn) time of a running clock: the target minus the business minutes
   * already used (banked before a pause), counted from when the clock (re)started; null without
   * that target. Already overdue → due at the restart (0 minutes left).
   */
  resolutionDue(match: SlaPolicyMatch, clockStartedAt: Date, elapsedBusinessMinutes = 0): SlaDue | null {
    return dueAfter(match, match.resolutionMinutes, clockStartedAt, elapsedBusinessMinutes);
  }

  /** Business minutes between two instants in the policy's calendar (fractional; 0 if to ≤ from). */
  elapsed(match: SlaPolicyMatch, from: Date, to: Date): number {
    return businessMinutesBetween(match.calendar, from, to);
  }
}

function dueAfter(match: SlaPolicyMatch, target: number | null, start: Date, used: number): SlaDue | null {
  if (target === null) return null;
  const left = Math.max(0, target - used);
  const dueAt = addBusinessMinutes(match.calendar, start, left);
  const warn = match.warnBeforeMinutes;
  const warnAt = warn ? addBusinessMinutes(match.calendar, start, Math.max(0, left - warn)) : dueAt;
  return { dueAt, warnAt };
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../../platform/context/request-context.js';
import { SlaService } from '../sla/sla.service.js';
import { NO_POLICY, settle, type SlaColumns, type SlaState, type SlaTerms } from './case-sla.js';

const STATE_COLUMNS = `c.status, c.created_at AS "createdAt", c.first_responded_at AS "firstRespondedAt",
  c.resolved_at AS "resolvedAt", c.first_response_due_at AS "firstResponseDueAt",
  c.resolution_due_at AS "resolutionDueAt", c.first_response_breached AS "firstResponseBreached",
  c.resolution_breached AS "resolutionBreached", c.resolution_elapsed_minutes::float8 AS "resolutionElapsedMinutes",
  c.resolution_clock_started_at AS "resolutionClockStartedAt", c.paused_at AS "pausedAt",
  c.business_first_response_minutes::float8 AS "businessFirstResponseMinutes",
  c.business_resolution_minutes::float8 AS "businessResolutionMinutes"`;

/**
 * Applies the SLA to one case inside the caller's transaction: matches the policy (SlaService:
 * the first active policy whose condition matches the case as it now is) and settles the clocks
 * (case-sla.ts) as of `now`. Called after every change that can move a due time — create, a
 * change of status, priority, account, queue, channel or any other field (a policy condition may
 * read any field), a first response — so the stored due dates are always those of the case's
 * current state. Writes SLA columns only: no version bump (they are system-managed; the change
 * that caused them carries the version and the audit event).
 */
@Injectable()
export class CaseSlaService {
  constructor(private readonly sla: SlaService) {}

  async terms(em: EntityManager, ctx: RequestContext, caseId: string): Promise<SlaTerms> {
    const match = await this.sla.matchPolicy(em, ctx, caseId);
    // Without a policy the clocks still run, in the tenant's default calendar (else 24/7 UTC).
    if (!match) return { ...NO_POLICY, calendar: await this.sla.defaultCalendar(em) };
    return {
      policyId: match.policyId,
      calendar: match.calendar,
      firstResponseMinutes: match.firstResponseMinutes ?? null,
      resolutionMinutes: match.resolutionMinutes ?? null,
      pauseOnPending: match.pauseOnPending,
      pauseOnHold: match.pauseOnHold,
      warnBeforeMinutes: match.warnBeforeMinutes ?? null,
    };
  }

  /** Re-matches the policy and rewrites the case's SLA columns; returns what it wrote. */
  async apply(em: EntityManager, ctx: RequestContext, caseId: string, now: Date): Promise<SlaColumns> {
    const [state] = (await em.query(`SELECT ${STATE_COLUMNS} FROM cases c WHERE c.id = $1::uuid`, [
      caseId,
    ])) as SlaState[];
    const cols = settle(state, await this.terms(em, ctx, caseId), now);
    await writeSla(em, caseId, cols);
    return cols;
  }
}

export async function writeSla(em: EntityManager, caseId: string, c: SlaColumns): Promise<void> {
  await em.query(
    `UPDATE cases SET sla_policy_id = $2::uuid, first_response_due_at = $3, first_response_warn_at = $4,
            resolution_due_at = $5, resolution_warn_at = $6, first_responded_at = $7, resolved_at = $8,
            first_response_breached = $9, resolution_breached = $10, resolution_elapsed_minutes = $11,
            resolution_clock_started_at = $12, paused_at = $13, business_first_response_minutes = $14,
            business_resolution_minutes = $15
      WHERE id = $1::uuid`,
    [
      caseId,
      c.slaPolicyId,
      c.firstResponseDueAt,
      c.firstResponseWarnAt,
      c.resolutionDueAt,
      c.resolutionWarnAt,
      c.firstRespondedAt,
      c.resolvedAt,
      c.firstResponseBreached,
      c.resolutionBreached,
      c.resolutionElapsedMinutes,
      c.resolutionClockStartedAt,
      c.pausedAt,
      c.businessFirstResponseMinutes,
      c.businessResolutionMinutes,
    ],
  );
}

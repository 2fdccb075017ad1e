import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { newId } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { JobsService } from '../../../platform/jobs/jobs.service.js';
import { OutboxService } from '../../../platform/outbox/outbox.service.js';
import { updatedRows } from '../../sales/sales-sql.js';
import { CaseAssignmentService, type Placement } from '../assignment/case-assignment.service.js';
import { CaseSlaService } from '../cases/case-sla.service.js';
import { CASE, CASE_PRIORITIES, type CasePriority } from '../cases/case.object.js';
import { ServiceClock } from '../service-clock.js';

export const ESCALATION_JOB = 'service.sla-escalation';

export type EscalationKind =
  'firstResponseWarning' | 'firstResponseBreached' | 'resolutionWarning' | 'resolutionBreached';

interface Candidate {
  id: string;
  number: string;
  clock: 'firstResponse' | 'resolution';
  dueAt: Date;
  slaPolicyId: string | null;
}

interface Inserted {
  caseId: string;
  kind: EscalationKind;
  dueAt: Date;
  id: string;
}

interface PolicyActions {
  escalatePriorityTo: CasePriority | null;
  escalateQueueId: string | null;
  escalateAssigneeId: string | null;
}

export interface EscalationRun {
  tenants: number;
  escalations: number;
}

/**
 * SLA escalation (docs/service.md#escalation), a pg-boss cron job every minute that tests call
 * directly as `runOnce(now)`.
 *
 * Jobs run without a tenant and RLS hides every case from them, so the run first asks
 * `case_tenants_due_escalation(now)` (0010, SECURITY DEFINER, probing each tenant under that
 * tenant's own RLS) which tenants have open cases at or past a warn/due time, then works each
 * tenant in one transaction as the system:
 * 1. candidates: open, unbreached cases whose first-response or resolution warn time has come
 *    (the partial indexes cases_*_scan);
 * 2. `INSERT INTO case_escalations … ON CONFLICT DO NOTHING RETURNING`: the unique key
 *    (case, kind, due time) lets exactly one run — of however many, on however many replicas —
 *    insert a given escalation; a concurrent one waits on the key and then inserts nothing;
 * 3. for each row this run inserted: a breach sets the case's breached flag and applies the
 *    policy's actions (raise priority — never lower —, move to a queue, reassign: to the policy's
 *    assignee, else round-robin in the new queue), re-applies the SLA (a new priority may match
 *    another policy), writes an `escalate` audit event (system actor) and emits
 *    `cases.sla_breached` (plus `cases.updated` naming the changed fields); a warning only audits
 *    and emits `cases.sla_warning`.
 */
@Injectable()
export class EscalationService implements OnModuleInit {
  private readonly logger = new Logger('sla-escalation');

  constructor(
    private readonly db: TenantDb,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly assignment: CaseAssignmentService,
    private readonly sla: CaseSlaService,
    private readonly clock: ServiceClock,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: ESCALATION_JOB,
      cron: '* * * * *',
      expireInSeconds: 5 * 60,
      handler: async () => {
        const run = await this.runOnce();
        if (run.escalations) this.logger.log(`escalated ${run.escalations} in ${run.tenants} tenant(s)`);
      },
    });
  }

  async runOnce(now: Date = this.clock.now()): Promise<EscalationRun> {
    const tenants = await this.db.runWithoutTenant(
      async (em) =>
        (await em.query(`SELECT t AS id FROM case_tenants_due_escalation($1::timestamptz) t`, [now])) as {
          id: string;
        }[],
    );
    let escalations = 0;
    for (const t of tenants) {
      try {
        escalations += await this.runTenant(t.id, now);
      } catch (e) {
        // One tenant's failure (a calendar gone bad) must not starve the others; the next tick retries.
        this.logger.error(
          `escalation failed for tenant ${t.id}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    return { tenants: tenants.length, escalations };
  }

  /** One tenant's due escalations, in one transaction; returns how many this call made. */
  async runTenant(tenantId: string, now: Date): Promise<number> {
    const ctx = RequestContext.system(tenantId, `job:${ESCALATION_JOB}:${now.toISOString()}`);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const candidates: Candidate[] = await em.query(
        `SELECT c.id, c.number, 'firstResponse' AS clock, c.first_response_due_at AS "dueAt", c.sla_policy_id AS "slaPolicyId"
           FROM cases c
          WHERE c.first_response_warn_at <= $1 AND c.first_response_warn_at IS NOT NULL
            AND c.first_responded_at IS NULL AND NOT c.first_response_breached
            AND c.deleted_at IS NULL AND c.status NOT IN ('solved', 'closed')
         UNION ALL
         SELECT c.id, c.number, 'resolution', c.resolution_due_at, c.sla_policy_id
           FROM cases c
          WHERE c.resolution_warn_at <= $1 AND c.resolution_warn_at IS NOT NULL
            AND NOT c.resolution_breached
            AND c.deleted_at IS NULL AND c.status NOT IN ('solved', 'closed')
          ORDER BY 1, 3`,
        [now],
      );
      if (candidates.length === 0) return 0;
      const kinds = candidates.map((c) =>
        c.dueAt <= now ? (`${c.clock}Breached` as const) : (`${c.clock}Warning` as const),
      );
      const inserted: Inserted[] = await em.query(
        `INSERT INTO case_escalations (tenant_id, id, case_id, kind, due_at, escalated_at, sla_policy_id)
         SELECT app_tenant_id(), e.id, e.case_id, e.kind, e.due_at, $6, e.policy_id
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::uuid[]) AS e(id, case_id, kind, due_at, policy_id)
         ON CONFLICT (tenant_id, case_id, kind, due_at) DO NOTHING
         RETURNING id, case_id AS "caseId", kind, due_at AS "dueAt"`,
        [
          candidates.map(() => newId()),
          candidates.map((c) => c.id),
          kinds,
          candidates.map((c) => c.dueAt),
          candidates.map((c) => c.slaPolicyId),
          now,
        ],
      );
      const byCase = new Map(candidates.map((c) => [c.id, c]));
      for (const row of inserted) await this.escalate(em, tx, row, byCase.get(row.caseId)!, now);
      return inserted.length;
    });
  }

  private async escalate(
    em: EntityManager,
    ctx: RequestContext,
    row: Inserted,
    candidate: Candidate,
    now: Date,
  ): Promise<void> {
    const breached = row.kind.endsWith('Breached');
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    const actions: string[] = [];
    if (breached) {
      const flag = row.kind === 'firstResponseBreached' ? 'first_response_breached' : 'resolution_breached';
      const [current] = updatedRows<{
        priority: CasePriority;
        queueId: string | null;
        assigneeId: string | null;
      }>(
        await em.query(
          `UPDATE cases SET ${flag} = true, version = version + 1, updated_at = now() WHERE id = $1::uuid
           RETURNING priority, queue_id AS "queueId", assignee_id AS "assigneeId"`,
          [row.caseId],
        ),
      );
      changes[row.kind === 'firstResponseBreached' ? 'firstResponseBreached' : 'resolutionBreached'] = {
        before: false,
        after: true,
      };
      const policy = await this.policyActions(em, candidate.slaPolicyId);
      if (policy?.escalatePriorityTo && rank(policy.escalatePriorityTo) > rank(current.priority)) {
        await em.query(`UPDATE cases SET priority = $2 WHERE id = $1::uuid`, [
          row.caseId,
          policy.escalatePriorityTo,
        ]);
        changes.priority = { before: current.priority, after: policy.escalatePriorityTo };
        actions.push('raisePriority');
      }
      if (policy && (policy.escalateQueueId || policy.escalateAssigneeId)) {
        const to: Placement = {
          queueId: policy.escalateQueueId ?? current.queueId,
          assigneeId: policy.escalateAssigneeId ?? (policy.escalateQueueId ? null : current.assigneeId),
        };
        if (!policy.escalateAssigneeId && to.queueId && to.queueId !== current.queueId)
          to.assigneeId = await this.assignment.nextMember(em, to.queueId);
        const moved = await this.assignment.move(em, ctx, row.caseId, to, 'escalation', {
          bump: false,
          details: { escalationId: row.id, kind: row.kind },
        });
        if (moved) {
          if (to.queueId !== current.queueId) {
            changes.queueId = { before: current.queueId, after: to.queueId };
            actions.push('moveQueue');
          }
          if (to.assigneeId !== current.assigneeId) {
            changes.assigneeId = { before: current.assigneeId, after: to.assigneeId };
            actions.push('reassign');
          }
        }
      }
      // A new priority or queue may match another policy: the due times follow the case.
      if (actions.length) await this.sla.apply(em, ctx, row.caseId, now);
    }
    await em.query(`UPDATE case_escalations SET actions = $2::jsonb WHERE id = $1::uuid`, [
      row.id,
      JSON.stringify({ actions, changes }),
    ]);
    await this.audit.record(em, ctx, {
      action: 'escalate',
      object: CASE.name,
      recordId: row.caseId,
      changes,
      details: { kind: row.kind, dueAt: new Date(row.dueAt).toISOString(), escalationId: row.id, actions },
    });
    const [{ version }] = (await em.query(`SELECT version FROM cases WHERE id = $1::uuid`, [row.caseId])) as {
      version: number;
    }[];
    await this.outbox.emit(em, ctx, [
      ...(breached
        ? [
            {
              type: `${CASE.plural}.updated`,
              object: CASE.plural,
              recordId: row.caseId,
              payload: { version, fields: Object.keys(changes) },
            },
          ]
        : []),
      {
        type: breached ? 'cases.sla_breached' : 'cases.sla_warning',
        object: CASE.plural,
        recordId: row.caseId,
        payload: {
          caseId: row.caseId,
          number: candidate.number,
          kind: row.kind,
          dueAt: new Date(row.dueAt).toISOString(),
          slaPolicyId: candidate.slaPolicyId,
          actions,
          changedFields: Object.keys(changes),
        },
      },
    ]);
  }

  private async policyActions(em: EntityManager, policyId: string | null): Promise<PolicyActions | null> {
    if (!policyId) return null;
    const [p] = (await em.query(
      `SELECT escalate_priority_to AS "escalatePriorityTo", escalate_queue_id AS "escalateQueueId",
              escalate_assignee_id AS "escalateAssigneeId"
         FROM sla_policies WHERE id = $1::uuid`,
      [policyId],
    )) as PolicyActions[];
    return p ?? null;
  }
}

const rank = (p: CasePriority): number => CASE_PRIORITIES.indexOf(p);

import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { newId } from '../../../platform/database/ids.js';
import { conditionSql } from '../../../platform/query/condition.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { CASE } from '../cases/case.object.js';
import { loadCaseRules, type CaseRuleRow } from './case-assignment-rules.service.js';

export type AssignmentReason = 'rule' | 'manual' | 'queueRouting' | 'escalation';

export interface Placement {
  queueId: string | null;
  assigneeId: string | null;
}

/**
 * Routes cases (docs/service.md#queues-and-assignment), always inside the transaction that
 * changes the case:
 * - `byRules`: the first active rule (in position order) whose condition — compiled by the query
 *   engine's own filter compiler and evaluated by Postgres against the case row — matches sends
 *   the case to its queue, and to its fixed assignee or round-robin among the queue's active
 *   members;
 * - `routeInQueue`: round-robin inside one queue (a case moved to a queue without an assignee);
 * - `recordMove`: history for a change someone else made (a PATCH of queueId/assigneeId).
 * Round-robin: the active member (an active user) assigned longest ago, never-assigned first, then
 * by position and user id; picked under a lock on the queue row and stamped with
 * clock_timestamp(), so concurrent creates take turns in commit order and every rule into the
 * queue shares one rotation. Every change writes a `case_assignments` row and an `assign` audit
 * event on the case.
 */
@Injectable()
export class CaseAssignmentService {
  private readonly logger = new Logger('case-assignment');

  constructor(private readonly audit: AuditService) {}

  /** Applies the rules to one (unassigned) case; returns the placement made, or null if no rule did. */
  async byRules(em: EntityManager, ctx: RequestContext, caseId: string): Promise<Placement | null> {
    for (const rule of await loadCaseRules(em, true)) {
      if (!(await this.matches(em, rule, caseId))) continue;
      const target = await this.target(em, rule);
      if (!target) continue;
      await this.move(em, ctx, caseId, target, 'rule', { ruleId: rule.id, bump: false });
      return target;
    }
    return null;
  }

  /** Round-robin inside `queueId` for a case without assignee; null when the queue has nobody active. */
  async routeInQueue(
    em: EntityManager,
    ctx: RequestContext,
    caseId: string,
    queueId: string,
    options: { bump: boolean },
  ): Promise<Placement | null> {
    const assigneeId = await this.nextMember(em, queueId);
    if (!assigneeId) return null;
    const target = { queueId, assigneeId };
    await this.move(em, ctx, caseId, target, 'queueRouting', { bump: options.bump });
    return target;
  }

  /**
   * Moves the case to `to` (queue and assignee), with history and audit; a no-op when nothing
   * changes. `bump`: count it as a change of the record (version, updated_at) — not for the
   * routing done while the case is being created.
   */
  async move(
    em: EntityManager,
    ctx: RequestContext,
    caseId: string,
    to: Placement,
    reason: AssignmentReason,
    options: { ruleId?: string; bump: boolean; details?: Record<string, unknown> },
  ): Promise<boolean> {
    const [from] = (await em.query(
      `SELECT queue_id AS "queueId", assignee_id AS "assigneeId" FROM cases WHERE id = $1::uuid FOR UPDATE`,
      [caseId],
    )) as Placement[];
    if (!from || (from.queueId === to.queueId && from.assigneeId === to.assigneeId)) return false;
    await em.query(
      `UPDATE cases SET queue_id = $2::uuid, assignee_id = $3::uuid
              ${options.bump ? ', version = version + 1, updated_at = now()' : ''}
        WHERE id = $1::uuid`,
      [caseId, to.queueId, to.assigneeId],
    );
    await this.recordMove(em, ctx, caseId, from, to, reason, options);
    return true;
  }

  /** History and audit for a placement change already written. */
  async recordMove(
    em: EntityManager,
    ctx: RequestContext,
    caseId: string,
    from: Placement,
    to: Placement,
    reason: AssignmentReason,
    options: { ruleId?: string; details?: Record<string, unknown> } = {},
  ): Promise<void> {
    if (from.queueId === to.queueId && from.assigneeId === to.assigneeId) return;
    await em.query(
      `INSERT INTO case_assignments (tenant_id, id, case_id, from_queue_id, to_queue_id, from_assignee_id,
                                     to_assignee_id, rule_id, reason, actor_id)
       VALUES (app_tenant_id(), $1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6::uuid, $7::uuid, $8, $9::uuid)`,
      [
        newId(),
        caseId,
        from.queueId,
        to.queueId,
        from.assigneeId,
        to.assigneeId,
        options.ruleId ?? null,
        reason,
        ctx.principal.type === 'system' ? null : (ctx.principal.userId ?? null),
      ],
    );
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    if (from.queueId !== to.queueId) changes.queueId = { before: from.queueId, after: to.queueId };
    if (from.assigneeId !== to.assigneeId)
      changes.assigneeId = { before: from.assigneeId, after: to.assigneeId };
    await this.audit.record(em, ctx, {
      action: 'assign',
      object: CASE.name,
      recordId: caseId,
      changes,
      details: { reason, ...(options.ruleId ? { ruleId: options.ruleId } : {}), ...(options.details ?? {}) },
    });
  }

  /** The next member of the queue in the rotation (advancing it), or null. */
  async nextMember(em: EntityManager, queueId: string): Promise<string | null> {
    const live: unknown[] = await em.query(
      `SELECT 1 FROM case_queues WHERE id = $1::uuid AND deleted_at IS NULL AND active FOR UPDATE`,
      [queueId],
    );
    if (live.length === 0) return null;
    const [next] = (await em.query(
      `SELECT m.user_id AS id FROM case_queue_members m
         JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
        WHERE m.queue_id = $1::uuid AND m.active AND u.status = 'active'
        ORDER BY m.last_assigned_at NULLS FIRST, m.position, m.user_id LIMIT 1`,
      [queueId],
    )) as { id: string }[];
    if (!next) return null;
    await em.query(
      `UPDATE case_queue_members SET last_assigned_at = clock_timestamp() WHERE queue_id = $1::uuid AND user_id = $2::uuid`,
      [queueId, next.id],
    );
    return next.id;
  }

  private async matches(em: EntityManager, rule: CaseRuleRow, caseId: string): Promise<boolean> {
    const params = new SqlParams([caseId]);
    let condition: string;
    try {
      condition = conditionSql(CASE, rule.condition, params);
    } catch (e) {
      // A condition saved before a field was removed from cases no longer compiles: skip the rule.
      this.logger.warn(
        `case assignment rule ${rule.id} skipped: ${e instanceof Error ? e.message : String(e)}`,
      );
      return false;
    }
    const rows: unknown[] = await em.query(
      `SELECT 1 FROM cases t WHERE t.id = $1::uuid AND (${condition})`,
      params.values,
    );
    return rows.length > 0;
  }

  /** Where the rule sends a case now, or null when it cannot (skip it). */
  private async target(em: EntityManager, rule: CaseRuleRow): Promise<Placement | null> {
    if (rule.queueId) {
      const live: unknown[] = await em.query(
        `SELECT 1 FROM case_queues WHERE id = $1::uuid AND deleted_at IS NULL AND active`,
        [rule.queueId],
      );
      if (live.length === 0) return null;
    }
    if (rule.strategy === 'fixed') {
      const active: unknown[] = await em.query(
        `SELECT 1 FROM users WHERE id = $1::uuid AND status = 'active'`,
        [rule.assigneeId],
      );
      return active.length ? { queueId: rule.queueId, assigneeId: rule.assigneeId } : null;
    }
    // Round-robin; a queue with nobody active still takes the case (it waits there unassigned).
    return { queueId: rule.queueId, assigneeId: await this.nextMember(em, rule.queueId!) };
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { actorOf, AuditService } from '../../../platform/audit/audit.service.js';
import type { AuditEventInput } from '../../../platform/audit/audit.types.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { conditionSql } from '../../../platform/query/condition.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { LEAD } from '../leads/lead.object.js';
import { updatedRows } from '../sales-sql.js';
import { loadRules, RuleRow } from './lead-assignment-rules.service.js';

/** What an assignment did to one lead (the fields the lead's create response then shows). */
export interface Assignment {
  ownerId: string | null;
  queueId: string | null;
  assignmentRuleId: string;
  version: number;
  updatedAt: Date;
}

/**
 * Applies the lead assignment rules (LeadAssignmentRulesService keeps them).
 *
 * `assign` runs in the transaction that inserted the leads (creation, and later the importer):
 * for each active rule in order it asks Postgres which of the still-unassigned leads match — the
 * condition compiled by the query engine's own filter compiler, evaluated against the inserted
 * rows — then gives them to the rule's user, round-robin to its team's active members, or to its
 * queue. The round-robin position is the rule row's `last_assigned_user_id`, read and advanced
 * under a row lock, so concurrent creates take turns in commit order and stay fair. Each
 * assignment is an `assign` audit event on the lead naming the rule, so it shows in the lead's
 * history.
 */
@Injectable()
export class LeadAssignmentService {
  private readonly logger = new Logger('lead-assignment');

  constructor(private readonly audit: AuditService) {}

  /**
   * Assigns the given (just inserted, not yet owned) leads by the first matching active rule, in
   * the caller's transaction. Returns what changed per assigned lead; leads no rule matched keep
   * what they have. Not a permission-checked operation: the rules are the administrator's.
   */
  async assign(
    em: EntityManager,
    ctx: RequestContext,
    leadIds: readonly string[],
  ): Promise<Map<string, Assignment>> {
    const out = new Map<string, Assignment>();
    let remaining = [...leadIds];
    if (remaining.length === 0) return out;
    for (const rule of await loadRules(em, true)) {
      if (remaining.length === 0) break;
      const matched = await this.matching(em, rule, remaining);
      if (matched.length === 0) continue;
      const targets = await this.targets(em, rule, matched.length);
      if (!targets) continue;
      const events: AuditEventInput[] = [];
      const rows: (Assignment & { id: string })[] = await em
        .query(
          `UPDATE leads t SET owner_id = v.owner_id, queue_id = v.queue_id, assignment_rule_id = $4::uuid,
                  version = t.version + 1, updated_at = now()
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS v(id, owner_id, queue_id)
            WHERE t.id = v.id
           RETURNING t.id, t.owner_id AS "ownerId", t.queue_id AS "queueId", t.assignment_rule_id AS "assignmentRuleId",
                     t.version, t.updated_at AS "updatedAt"`,
          [matched.map((m) => m.id), targets.map((t) => t.ownerId), targets.map((t) => t.queueId), rule.id],
        )
        .then((r) => updatedRows<Assignment & { id: string }>(r));
      const before = new Map(matched.map((m) => [m.id, m]));
      for (const row of rows) {
        const { id, ...assignment } = row;
        out.set(id, assignment);
        const b = before.get(id)!;
        events.push({
          action: 'assign',
          object: LEAD.name,
          recordId: id,
          changes: {
            ...(b.ownerId !== row.ownerId ? { ownerId: { before: b.ownerId, after: row.ownerId } } : {}),
            ...(b.queueId !== row.queueId ? { queueId: { before: b.queueId, after: row.queueId } } : {}),
            assignmentRuleId: { before: b.assignmentRuleId, after: rule.id },
          },
          details: {
            version: row.version,
            rule: { id: rule.id, name: rule.name, position: rule.position },
            assigneeType: rule.assigneeType,
          },
        });
      }
      await this.audit.recordMany(em, actorOf(ctx), events);
      const done = new Set(rows.map((r) => r.id));
      remaining = remaining.filter((id) => !done.has(id));
    }
    return out;
  }

  /** The leads among `ids` the rule's condition matches, in id (creation) order. */
  private async matching(
    em: EntityManager,
    rule: RuleRow,
    ids: string[],
  ): Promise<
    { id: string; ownerId: string | null; queueId: string | null; assignmentRuleId: string | null }[]
  > {
    const params = new SqlParams([ids]);
    let condition: string;
    try {
      condition = conditionSql(LEAD, rule.condition, params);
    } catch (e) {
      // A condition saved before a field was removed from leads no longer compiles: skip the rule.
      this.logger.warn(`assignment rule ${rule.id} skipped: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
    return em.query(
      `SELECT t.id, t.owner_id AS "ownerId", t.queue_id AS "queueId", t.assignment_rule_id AS "assignmentRuleId"
         FROM leads t WHERE t.id = ANY($1::uuid[]) AND t.deleted_at IS NULL AND (${condition}) ORDER BY t.id`,
      params.values,
    );
  }

  /** Owner and queue for each of `n` leads, or null when the rule cannot assign now (skip it). */
  private async targets(
    em: EntityManager,
    rule: RuleRow,
    n: number,
  ): Promise<{ ownerId: string | null; queueId: string | null }[] | null> {
    switch (rule.assigneeType) {
      case 'user': {
        const active: unknown[] = await em.query(
          `SELECT 1 FROM users WHERE id = $1::uuid AND status = 'active'`,
          [rule.userId],
        );
        return active.length
          ? Array.from({ length: n }, () => ({ ownerId: rule.userId, queueId: null }))
          : null;
      }
      case 'queue': {
        const live: unknown[] = await em.query(
          `SELECT 1 FROM lead_queues WHERE id = $1::uuid AND deleted_at IS NULL`,
          [rule.queueId],
        );
        return live.length
          ? Array.from({ length: n }, () => ({ ownerId: null, queueId: rule.queueId }))
          : null;
      }
      case 'team': {
        // The lock makes concurrent assignments by this rule take turns: each sees the last one's pick.
        const [state] = (await em.query(
          `SELECT last_assigned_user_id AS "last" FROM lead_assignment_rules WHERE id = $1::uuid FOR UPDATE`,
          [rule.id],
        )) as { last: string | null }[];
        const members: { id: string }[] = await em.query(
          `SELECT m.user_id AS id FROM team_members m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
            WHERE m.team_id = $1::uuid AND u.status = 'active' ORDER BY m.user_id`,
          [rule.teamId],
        );
        if (members.length === 0) return null;
        let i = members.findIndex((m) => state?.last != null && m.id > state.last);
        if (i < 0) i = 0;
        const picks: { ownerId: string | null; queueId: string | null }[] = [];
        for (let k = 0; k < n; k++)
          picks.push({ ownerId: members[(i + k) % members.length].id, queueId: null });
        await em.query(
          `UPDATE lead_assignment_rules SET last_assigned_user_id = $2::uuid WHERE id = $1::uuid`,
          [rule.id, picks[picks.length - 1].ownerId],
        );
        return picks;
      }
    }
  }
}

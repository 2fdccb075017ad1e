import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { blankConditionToNull, checkCondition } from '../../../platform/query/condition.js';
import { changedFields, jsonbParam, OrderedRuleTable } from '../../../platform/records/ordered-rules.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { LEAD } from '../leads/lead.object.js';
import { conflict, invalid } from '../sales-sql.js';
import type {
  AssigneeType,
  CreateLeadAssignmentRuleInput,
  LeadAssignmentRuleDto,
  UpdateLeadAssignmentRuleInput,
} from './lead-assignment-rule.dto.js';
import { MAX_RULES } from './lead-assignment-rule.dto.js';

export const RULES_MANAGE = 'lead-assignment-rules:manage';
const AUDIT_OBJECT = 'leadAssignmentRule';

const COLUMNS = `r.id, r.position, r.name, r.condition, r.assignee_type AS "assigneeType", r.user_id AS "userId",
  r.team_id AS "teamId", r.queue_id AS "queueId", r.active, r.created_at AS "createdAt",
  r.updated_at AS "updatedAt", r.version`;

export interface RuleRow extends LeadAssignmentRuleDto {
  assigneeType: AssigneeType;
}

const RULES = new OrderedRuleTable<RuleRow>('lead_assignment_rules', COLUMNS, 'lead assignment rule');

/** The tenant's rules in evaluation order (all, or only the active ones). */
export function loadRules(em: EntityManager, activeOnly: boolean): Promise<RuleRow[]> {
  return RULES.load(em, activeOnly);
}

/**
 * Lead assignment rules, the configuration (needs `lead-assignment-rules:manage`): a tenant's
 * ordered list. A rule's condition is a filter on leads in the query language, checked against the
 * lead object when saved (a 400 naming `condition`, with the parser's character position), so a
 * rule means exactly what the same filter means in `GET /v1/leads?filter=`. Changes of the order
 * are serialised per tenant; every change is audited (object `leadAssignmentRule`).
 * LeadAssignmentService applies the rules.
 */
@Injectable()
export class LeadAssignmentRulesService {
  constructor(
    private readonly db: TenantDb,
    private readonly audit: AuditService,
  ) {}

  async list(ctx: RequestContext): Promise<LeadAssignmentRuleDto[]> {
    assertPermission(ctx, RULES_MANAGE);
    return this.db.run(ctx, (em) => loadRules(em, false));
  }

  async get(ctx: RequestContext, id: string): Promise<LeadAssignmentRuleDto> {
    assertPermission(ctx, RULES_MANAGE);
    return this.db.run(ctx, (em) => RULES.one(em, id));
  }

  async create(ctx: RequestContext, input: CreateLeadAssignmentRuleInput): Promise<LeadAssignmentRuleDto> {
    assertPermission(ctx, RULES_MANAGE);
    const fields = { ...input, condition: blankConditionToNull(input.condition) };
    checkCondition(LEAD, fields.condition);
    return this.db.run(ctx, async (em) => {
      await RULES.lock(em);
      await checkAssignee(em, fields);
      const rule = await RULES.insert(
        em,
        input.position,
        MAX_RULES,
        () => conflict('position', 'too_many_rules', `a tenant has at most ${MAX_RULES} assignment rules`),
        (id, last) =>
          em.query(
            `INSERT INTO lead_assignment_rules (tenant_id, id, position, name, condition, assignee_type, user_id, team_id, queue_id, active)
             VALUES (app_tenant_id(), $1::uuid, $2, $3, $4::jsonb, $5, $6::uuid, $7::uuid, $8::uuid, $9)`,
            [
              id,
              last,
              input.name.trim(),
              jsonbParam(fields.condition),
              input.assigneeType,
              input.userId ?? null,
              input.teamId ?? null,
              input.queueId ?? null,
              input.active ?? true,
            ],
          ),
      );
      await this.audit.record(em, ctx, {
        action: 'create',
        object: AUDIT_OBJECT,
        recordId: rule.id,
        changes: diff(null, rule),
      });
      return rule;
    });
  }

  async update(
    ctx: RequestContext,
    id: string,
    patch: UpdateLeadAssignmentRuleInput,
  ): Promise<LeadAssignmentRuleDto> {
    assertPermission(ctx, RULES_MANAGE);
    for (const field of ['name', 'assigneeType', 'active'] as const)
      if (patch[field] === null) throw invalid(field, 'required', `${field} cannot be null`);
    const condition = patch.condition === undefined ? undefined : blankConditionToNull(patch.condition);
    if (condition !== undefined) checkCondition(LEAD, condition);
    return this.db.run(ctx, async (em) => {
      const before = await RULES.one(em, id, true);
      const type = (patch.assigneeType ?? before.assigneeType) as AssigneeType;
      // Switching the type drops the previous target; a target of another type is a 400.
      const target = {
        assigneeType: type,
        userId:
          patch.userId !== undefined ? patch.userId : type === before.assigneeType ? before.userId : null,
        teamId:
          patch.teamId !== undefined ? patch.teamId : type === before.assigneeType ? before.teamId : null,
        queueId:
          patch.queueId !== undefined ? patch.queueId : type === before.assigneeType ? before.queueId : null,
      };
      await checkAssignee(em, target);
      await em.query(
        `UPDATE lead_assignment_rules SET
            name = coalesce($2, name),
            condition = CASE WHEN $3 THEN $4::jsonb ELSE condition END,
            assignee_type = $5, user_id = $6::uuid, team_id = $7::uuid, queue_id = $8::uuid,
            active = coalesce($9, active),
            last_assigned_user_id = CASE WHEN team_id IS DISTINCT FROM $7::uuid THEN NULL ELSE last_assigned_user_id END,
            version = version + 1, updated_at = now()
          WHERE id = $1::uuid`,
        [
          id,
          patch.name?.trim() ?? null,
          condition !== undefined,
          jsonbParam(condition),
          target.assigneeType,
          target.userId ?? null,
          target.teamId ?? null,
          target.queueId ?? null,
          patch.active ?? null,
        ],
      );
      const after = await RULES.one(em, id);
      await this.audit.record(em, ctx, {
        action: 'update',
        object: AUDIT_OBJECT,
        recordId: id,
        changes: diff(before, after),
        details: { version: after.version },
      });
      return after;
    });
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    assertPermission(ctx, RULES_MANAGE);
    await this.db.run(ctx, async (em) => {
      const before = await RULES.delete(em, id);
      await this.audit.record(em, ctx, {
        action: 'delete',
        object: AUDIT_OBJECT,
        recordId: id,
        changes: diff(before, null),
      });
    });
  }

  /** Puts the rules in the given order; the list must name every rule exactly once. */
  async reorder(ctx: RequestContext, ruleIds: string[]): Promise<LeadAssignmentRuleDto[]> {
    assertPermission(ctx, RULES_MANAGE);
    return this.db.run(ctx, async (em) => {
      const { before, after } = await RULES.reorder(
        em,
        ruleIds,
        'ruleIds must list every assignment rule exactly once',
      );
      await this.audit.record(em, ctx, {
        action: 'reorder_rules',
        object: AUDIT_OBJECT,
        changes: { ruleOrder: { before, after } },
      });
      return loadRules(em, false);
    });
  }
}

/** Exactly the target of the rule's type, and it must exist (an active user, a team, a live queue). */
async function checkAssignee(
  em: EntityManager,
  rule: { assigneeType?: string; userId?: string | null; teamId?: string | null; queueId?: string | null },
): Promise<void> {
  const wanted = { user: 'userId', team: 'teamId', queue: 'queueId' } as const;
  const type = rule.assigneeType as AssigneeType;
  for (const [t, field] of Object.entries(wanted)) {
    const value = rule[field];
    if (t === type && !value)
      throw invalid(field, 'required', `${field} is required for assigneeType ${type}`);
    if (t !== type && value)
      throw invalid(field, 'not_allowed', `${field} is only for assigneeType ${t} (this rule is ${type})`);
  }
  const checks = {
    user: `SELECT 1 FROM users WHERE id = $1::uuid AND status = 'active'`,
    team: `SELECT 1 FROM teams WHERE id = $1::uuid`,
    queue: `SELECT 1 FROM lead_queues WHERE id = $1::uuid AND deleted_at IS NULL`,
  } as const;
  const id = rule[wanted[type]];
  const found: unknown[] = await em.query(checks[type], [id]);
  if (found.length === 0)
    throw invalid(
      wanted[type],
      'not_found',
      `${wanted[type]} refers to no ${type === 'user' ? 'active user' : type}`,
    );
}

const AUDITED = [
  'name',
  'condition',
  'assigneeType',
  'userId',
  'teamId',
  'queueId',
  'active',
  'position',
] as const;
const diff = (before: LeadAssignmentRuleDto | null, after: LeadAssignmentRuleDto | null) =>
  changedFields(AUDITED, before, after);

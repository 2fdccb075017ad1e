import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { blankConditionToNull, checkCondition } from '../../../platform/query/condition.js';
import { changedFields, jsonbParam, OrderedRuleTable } from '../../../platform/records/ordered-rules.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { recordPermission, type RecordAction } from '../../../platform/security/permissions.js';
import { conflict, invalid } from '../../sales/sales-sql.js';
import { CASE } from '../cases/case.object.js';
import type {
  CaseAssignmentRuleDto,
  CaseRuleStrategy,
  CreateCaseAssignmentRuleInput,
  UpdateCaseAssignmentRuleInput,
} from './case-assignment-rule.dto.js';
import { MAX_CASE_RULES } from './case-assignment-rule.dto.js';

export const CASE_RULES = 'case-assignment-rules';
const AUDIT_OBJECT = 'caseAssignmentRule';
export const rulePermission = (action: RecordAction): string => recordPermission(CASE_RULES, action);

const COLUMNS = `r.id, r.position, r.name, r.condition, r.queue_id AS "queueId", r.strategy,
  r.assignee_id AS "assigneeId", r.active, r.created_at AS "createdAt", r.updated_at AS "updatedAt", r.version`;

export interface CaseRuleRow extends CaseAssignmentRuleDto {
  strategy: CaseRuleStrategy;
}

const RULES = new OrderedRuleTable<CaseRuleRow>('case_assignment_rules', COLUMNS, 'case assignment rule');

/** The tenant's case rules in evaluation order (all, or only the active ones). */
export function loadCaseRules(em: EntityManager, activeOnly: boolean): Promise<CaseRuleRow[]> {
  return RULES.load(em, activeOnly);
}

/**
 * Case assignment rules, the configuration (`case-assignment-rules:<action>`, administrators):
 * a tenant's ordered list. A condition is a filter on cases, compiled against the case object when
 * saved (400 naming `condition`), so a rule means exactly what `GET /v1/cases?filter=` means.
 * Changes of the order are serialised per tenant; every change is audited (object
 * `caseAssignmentRule`). CaseAssignmentService applies them.
 */
@Injectable()
export class CaseAssignmentRulesService {
  constructor(
    private readonly db: TenantDb,
    private readonly audit: AuditService,
  ) {}

  async list(ctx: RequestContext): Promise<CaseAssignmentRuleDto[]> {
    assertPermission(ctx, rulePermission('read'));
    return this.db.read(ctx, (em) => loadCaseRules(em, false));
  }

  async get(ctx: RequestContext, id: string): Promise<CaseAssignmentRuleDto> {
    assertPermission(ctx, rulePermission('read'));
    return this.db.read(ctx, (em) => RULES.one(em, id));
  }

  async create(ctx: RequestContext, input: CreateCaseAssignmentRuleInput): Promise<CaseAssignmentRuleDto> {
    assertPermission(ctx, rulePermission('create'));
    const condition = blankConditionToNull(input.condition);
    checkCondition(CASE, condition);
    return this.db.run(ctx, async (em) => {
      await RULES.lock(em);
      await checkTarget(em, input);
      const rule = await RULES.insert(
        em,
        input.position,
        MAX_CASE_RULES,
        () =>
          conflict(
            'position',
            'too_many_rules',
            `a tenant has at most ${MAX_CASE_RULES} case assignment rules`,
          ),
        (id, last) =>
          em.query(
            `INSERT INTO case_assignment_rules (tenant_id, id, position, name, condition, queue_id, strategy, assignee_id, active)
             VALUES (app_tenant_id(), $1::uuid, $2, $3, $4::jsonb, $5::uuid, $6, $7::uuid, $8)`,
            [
              id,
              last,
              input.name.trim(),
              jsonbParam(condition),
              input.queueId ?? null,
              input.strategy,
              input.assigneeId ?? null,
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
    patch: UpdateCaseAssignmentRuleInput,
  ): Promise<CaseAssignmentRuleDto> {
    assertPermission(ctx, rulePermission('update'));
    for (const field of ['name', 'strategy', 'active'] as const)
      if (patch[field] === null) throw invalid(field, 'required', `${field} cannot be null`);
    const condition = patch.condition === undefined ? undefined : blankConditionToNull(patch.condition);
    if (condition !== undefined) checkCondition(CASE, condition);
    return this.db.run(ctx, async (em) => {
      const before = await RULES.one(em, id, true);
      const strategy = patch.strategy ?? before.strategy;
      const target = {
        strategy,
        queueId: patch.queueId !== undefined ? patch.queueId : before.queueId,
        // switching to roundRobin drops the fixed assignee
        assigneeId:
          patch.assigneeId !== undefined ? patch.assigneeId : strategy === 'fixed' ? before.assigneeId : null,
      };
      await checkTarget(em, target);
      await em.query(
        `UPDATE case_assignment_rules SET
            name = coalesce($2, name),
            condition = CASE WHEN $3 THEN $4::jsonb ELSE condition END,
            queue_id = $5::uuid, strategy = $6, assignee_id = $7::uuid,
            active = coalesce($8, active),
            version = version + 1, updated_at = now()
          WHERE id = $1::uuid`,
        [
          id,
          patch.name?.trim() ?? null,
          condition !== undefined,
          jsonbParam(condition),
          target.queueId ?? null,
          target.strategy,
          target.assigneeId ?? null,
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
    assertPermission(ctx, rulePermission('delete'));
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

  async reorder(ctx: RequestContext, ruleIds: string[]): Promise<CaseAssignmentRuleDto[]> {
    assertPermission(ctx, rulePermission('update'));
    return this.db.run(ctx, async (em) => {
      const { before, after } = await RULES.reorder(
        em,
        ruleIds,
        'ruleIds must list every case assignment rule exactly once',
      );
      await this.audit.record(em, ctx, {
        action: 'reorder_rules',
        object: AUDIT_OBJECT,
        changes: { ruleOrder: { before, after } },
      });
      return loadCaseRules(em, false);
    });
  }
}

/** roundRobin needs a queue and no assignee; fixed needs an active assignee; both must exist. */
async function checkTarget(
  em: EntityManager,
  rule: { strategy?: string; queueId?: string | null; assigneeId?: string | null },
): Promise<void> {
  if (rule.strategy === 'roundRobin') {
    if (!rule.queueId) throw invalid('queueId', 'required', 'queueId is required for strategy roundRobin');
    if (rule.assigneeId)
      throw invalid(
        'assigneeId',
        'not_allowed',
        'assigneeId is only for strategy fixed (round-robin picks the member)',
      );
  } else if (!rule.assigneeId)
    throw invalid('assigneeId', 'required', 'assigneeId is required for strategy fixed');
  if (rule.queueId) {
    const found: unknown[] = await em.query(
      `SELECT 1 FROM case_queues WHERE id = $1::uuid AND deleted_at IS NULL`,
      [rule.queueId],
    );
    if (found.length === 0) throw invalid('queueId', 'not_found', 'queueId refers to no case queue');
  }
  if (rule.assigneeId) {
    const found: unknown[] = await em.query(`SELECT 1 FROM users WHERE id = $1::uuid AND status = 'active'`, [
      rule.assigneeId,
    ]);
    if (found.length === 0) throw invalid('assigneeId', 'not_found', 'assigneeId refers to no active user');
  }
}

const AUDITED = ['name', 'condition', 'queueId', 'strategy', 'assigneeId', 'active', 'position'] as const;
const diff = (before: CaseAssignmentRuleDto | null, after: CaseAssignmentRuleDto | null) =>
  changedFields(AUDITED, before, after);

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { DenseOrder } from '../../../platform/records/ordered-rules.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { Page, RecordData } from '../../../platform/records/record.types.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { returned } from './business-calendars.service.js';
import { checkCondition, normalizeCondition } from './sla-condition.js';
import { MAX_POLICIES, type CreateSlaPolicyInput, type UpdateSlaPolicyInput } from './sla-policy.dto.js';
import { SLA_POLICY } from './sla-policy.object.js';

interface PolicyState {
  condition: unknown;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  version: number;
}

/** Moving a policy bumps its version (it is the ETag of the record). */
const ORDER = new DenseOrder('sla_policies', { live: true, bumpVersion: true });

const invalid = (field: string, code: string, message: string) =>
  new DomainError('VALIDATION_FAILED', `${message}.`, [{ field, code, message }]);

/**
 * SLA policies: the generic record operations on a tenant's ordered list, plus
 * - the condition is a filter on cases, compiled against the case object when saved (400 naming
 *   `condition` and the unknown field), so a policy means exactly what the same filter means in
 *   `GET /v1/cases?filter=`; it is stored as given (string or AST) and replaced as a whole;
 * - at least one target; the escalation queue must be a live queue and the assignee an active
 *   user (400 naming the field); the calendar a live calendar (the record layer's reference check);
 * - positions stay 1..n over the live policies: a create goes last or to `position` (the later ones
 *   move down), a delete closes the gap, a restore goes last, and `reorder` sets the whole order;
 *   changes of the order are serialised per tenant and audited (`reorder_sla_policies`).
 */
@Injectable()
export class SlaPoliciesService extends ObjectService {
  constructor(
    records: RecordService,
    private readonly db: TenantDb,
    private readonly audit: AuditService,
    private readonly fieldPolicy: FieldPolicy,
  ) {
    super(records, SLA_POLICY);
  }

  /** The live policies in evaluation order, in one page. */
  listOrdered(ctx: RequestContext): Promise<Page> {
    return this.list(ctx, { sort: 'position', limit: MAX_POLICIES });
  }

  override async create(ctx: RequestContext, input: CreateSlaPolicyInput): Promise<RecordData> {
    this.require(ctx, 'create');
    const { position, ...fields } = input;
    const condition = normalizeCondition(fields.condition);
    checkCondition(condition);
    if (fields.firstResponseMinutes == null && fields.resolutionMinutes == null)
      throw invalid(
        'resolutionMinutes',
        'required',
        'a policy sets firstResponseMinutes, resolutionMinutes or both',
      );
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      await ORDER.lock(em);
      await checkEscalation(em, fields);
      const order = await ORDER.ids(em);
      const at = ORDER.insertionPoint(
        order,
        position,
        MAX_POLICIES,
        () =>
          new DomainError('CONFLICT', `A tenant has at most ${MAX_POLICIES} SLA policies.`, [
            { field: 'position', code: 'too_many_policies', message: `at most ${MAX_POLICIES} SLA policies` },
          ]),
      );
      const created = await super.create(tx, { ...fields, condition, position: order.length + 1 });
      if (at <= order.length) {
        order.splice(at - 1, 0, created.id as string);
        await this.renumber(em, tx, order, 'create');
        return this.records.get(tx, SLA_POLICY, created.id as string);
      }
      return created;
    });
  }

  override async update(
    ctx: RequestContext,
    id: string,
    patch: UpdateSlaPolicyInput,
    expectedVersion?: number,
  ): Promise<RecordData> {
    this.require(ctx, 'update');
    const { condition: rawCondition, ...rest } = patch;
    const condition = rawCondition === undefined ? undefined : normalizeCondition(rawCondition);
    if (condition !== undefined) checkCondition(condition);
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const before = await this.state(em, id, condition !== undefined);
      const first =
        rest.firstResponseMinutes !== undefined ? rest.firstResponseMinutes : before.firstResponseMinutes;
      const resolution =
        rest.resolutionMinutes !== undefined ? rest.resolutionMinutes : before.resolutionMinutes;
      if (first == null && resolution == null)
        throw invalid(
          rest.resolutionMinutes === null ? 'resolutionMinutes' : 'firstResponseMinutes',
          'required',
          'a policy keeps firstResponseMinutes, resolutionMinutes or both',
        );
      await checkEscalation(em, rest);
      if (condition !== undefined) {
        // The record layer merge-patches JSON objects; a condition is replaced as a whole, so it is
        // written here (same transaction, same version bump, its own audit entry).
        if (expectedVersion !== undefined && expectedVersion !== before.version)
          throw new DomainError(
            'VERSION_MISMATCH',
            `The ${SLA_POLICY.name} is at version ${before.version}, not ${expectedVersion}; reload it and retry.`,
          );
        const alone = Object.values(rest).every((v) => v === undefined);
        const [row] = returned<{ version: number }>(
          await em.query(
            `UPDATE sla_policies SET condition = $2::jsonb, updated_at = now()${alone ? ', version = version + 1' : ''}
              WHERE id = $1::uuid AND deleted_at IS NULL RETURNING version`,
            [id, condition === null ? null : JSON.stringify(condition)],
          ),
        );
        if (JSON.stringify(before.condition) !== JSON.stringify(condition))
          await this.audit.record(em, tx, {
            action: 'update',
            object: SLA_POLICY.name,
            recordId: id,
            changes: { condition: { before: before.condition, after: condition } },
            details: { version: alone ? row.version : row.version + 1 },
          });
        if (alone) return this.records.get(tx, SLA_POLICY, id);
        return super.update(tx, id, rest);
      }
      return super.update(tx, id, rest, expectedVersion);
    });
  }

  override async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    this.require(ctx, 'delete');
    await this.db.inTransaction(ctx, async (tx, em) => {
      await ORDER.lock(em);
      await super.remove(tx, id, expectedVersion);
      await this.renumber(em, tx, await ORDER.ids(em), 'delete');
    });
  }

  override async restore(ctx: RequestContext, id: string): Promise<RecordData> {
    this.require(ctx, 'delete');
    return this.db.inTransaction(ctx, async (tx, em) => {
      await ORDER.lock(em);
      const others = (await ORDER.ids(em)).filter((p) => p !== id);
      const restored = await super.restore(tx, id);
      // back at the end of the list
      if (await this.renumber(em, tx, [...others, id], 'restore'))
        return this.records.get(tx, SLA_POLICY, id);
      return restored;
    });
  }

  /** Puts the live policies in the given order; the list must name each exactly once. */
  async reorder(ctx: RequestContext, policyIds: string[]): Promise<Page> {
    this.require(ctx, 'update');
    await this.fieldPolicy.resolve(ctx);
    await this.db.inTransaction(ctx, async (tx, em) => {
      await ORDER.lock(em);
      const { after } = await ORDER.checkPermutation(
        em,
        policyIds,
        'policyIds',
        (missing, unknown) =>
          `policyIds must list every live SLA policy exactly once${missing.length ? `; missing ${missing.join(', ')}` : ''}${unknown.length ? `; not live SLA policies: ${unknown.join(', ')}` : ''}`,
      );
      await this.renumber(em, tx, after, 'reorder');
    });
    return this.listOrdered(ctx);
  }

  /** The live policy's stored condition, targets and version (404 when absent or deleted). */
  private async state(em: EntityManager, id: string, lock: boolean): Promise<PolicyState> {
    const rows: PolicyState[] = await em.query(
      `SELECT condition, first_response_minutes AS "firstResponseMinutes", resolution_minutes AS "resolutionMinutes", version
         FROM sla_policies WHERE id = $1::uuid AND deleted_at IS NULL${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    if (!rows[0]) throw new DomainError('NOT_FOUND', `No ${SLA_POLICY.name} with id ${id}.`);
    return rows[0];
  }

  /** Positions 1..n in `order`; one audit event when anything moved. Returns whether it did. */
  private async renumber(
    em: EntityManager,
    ctx: RequestContext,
    order: string[],
    cause: string,
  ): Promise<boolean> {
    const moved = await ORDER.renumber(em, order);
    if (moved.length === 0) return false;
    await this.audit.record(em, ctx, {
      action: 'reorder_sla_policies',
      object: SLA_POLICY.name,
      changes: { policyOrder: { before: null, after: order } },
      details: { cause, moved },
    });
    return true;
  }
}

/** The escalation queue must be a live case queue, the assignee an active user. */
async function checkEscalation(
  em: EntityManager,
  input: { escalateQueueId?: string | null; escalateAssigneeId?: string | null },
): Promise<void> {
  if (input.escalateQueueId) {
    const found: unknown[] = await em.query(
      `SELECT 1 FROM case_queues WHERE id = $1::uuid AND deleted_at IS NULL`,
      [input.escalateQueueId],
    );
    if (found.length === 0)
      throw invalid(
        'escalateQueueId',
        'not_found',
        `escalateQueueId refers to no queue (${input.escalateQueueId})`,
      );
  }
  if (input.escalateAssigneeId) {
    const found: unknown[] = await em.query(`SELECT 1 FROM users WHERE id = $1::uuid AND status = 'active'`, [
      input.escalateAssigneeId,
    ]);
    if (found.length === 0)
      throw invalid(
        'escalateAssigneeId',
        'not_found',
        `escalateAssigneeId refers to no active user (${input.escalateAssigneeId})`,
      );
  }
}

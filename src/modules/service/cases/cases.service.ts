import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { OutboxService } from '../../../platform/outbox/outbox.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { newId } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { selectList } from '../../../platform/records/record-sql.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { RecordPolicy } from '../../../platform/security/policy/record-policy.js';
import { recordPermission } from '../../../platform/security/permissions.js';
import { conflict, invalid, notFound, SalesRecords, updatedRows } from '../../sales/sales-sql.js';
import { CaseAssignmentService, type Placement } from '../assignment/case-assignment.service.js';
import { ServiceClock } from '../service-clock.js';
import { CaseSlaService } from './case-sla.service.js';
import type { CaseAssignmentDto, CaseCommentDto, CaseCsatInput, CreateCaseCommentInput } from './case.dto.js';
import { CASE, type CaseStatus } from './case.object.js';

type Values = Record<string, unknown>;

/**
 * The status lifecycle (docs/service.md#lifecycle): from each status, where it may go. `closed`
 * is final; `solved` → open/pending/onHold is a reopen; `closed` only from `solved` (by hand or by
 * the auto-close job).
 */
export const CASE_TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  new: ['open', 'pending', 'onHold', 'solved'],
  open: ['pending', 'onHold', 'solved'],
  pending: ['open', 'onHold', 'solved'],
  onHold: ['open', 'pending', 'solved'],
  solved: ['open', 'pending', 'onHold', 'closed'],
  closed: [],
};

const COMMENT_COLUMNS = `m.id, m.case_id AS "caseId", m.body, m.is_public AS "isPublic", m.author_id AS "authorId",
  m.author_contact_id AS "authorContactId", m.created_at AS "createdAt"`;
const ASSIGNMENT_COLUMNS = `a.id, a.case_id AS "caseId", a.from_queue_id AS "fromQueueId", a.to_queue_id AS "toQueueId",
  a.from_assignee_id AS "fromAssigneeId", a.to_assignee_id AS "toAssigneeId", a.rule_id AS "ruleId", a.reason,
  a.actor_id AS "actorId", a.assigned_at AS "assignedAt"`;

/**
 * Cases: the generic record operations plus, in the same transaction as the write,
 * - the number (the column default takes it from the tenant's counter row: gap-free);
 * - routing: an explicit assignee, else round-robin in an explicit queue, else the assignment rules;
 *   a later move to a queue without an assignee routes in that queue; each (re)assignment is
 *   history (`case_assignments`) and an `assign` audit event;
 * - the lifecycle (CASE_TRANSITIONS; a closed case is read-only: 409) and its timestamps;
 * - the SLA (CaseSlaService) re-applied after every change, so due dates follow priority, queue,
 *   account, channel or any field a policy condition reads, and the resolution clock pauses and
 *   resumes with the status.
 * Setting or changing `assigneeId` needs `cases:assign` (taking a new case yourself does not).
 */
@Injectable()
export class CasesService extends ObjectService {
  constructor(
    records: RecordService,
    private readonly db: TenantDb,
    private readonly locks: SalesRecords,
    private readonly policy: RecordPolicy,
    private readonly fieldPolicy: FieldPolicy,
    private readonly audit: AuditService,
    private readonly assignment: CaseAssignmentService,
    private readonly sla: CaseSlaService,
    private readonly clock: ServiceClock,
    private readonly outbox: OutboxService,
  ) {
    super(records, CASE);
  }

  override async create(ctx: RequestContext, input: Values): Promise<RecordData> {
    this.require(ctx, 'create');
    if (input.status === 'solved' || input.status === 'closed')
      throw invalid('status', 'lifecycle', 'a case starts as new, open, pending or onHold');
    const assigneeId = (input.assigneeId as string | null | undefined) ?? null;
    const queueId = (input.queueId as string | null | undefined) ?? null;
    if (assigneeId && assigneeId !== ctx.principal.userId) this.requireAssignee(ctx);
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      if (assigneeId) await checkAssignee(em, assigneeId);
      const created = await this.records.create(tx, CASE, { ...input, ownerId: undefined });
      const id = created.id as string;
      const now = this.clock.now();
      await em.query(`UPDATE cases SET created_at = $2 WHERE id = $1::uuid`, [id, now]);
      const none: Placement = { queueId: null, assigneeId: null };
      if (assigneeId) await this.assignment.recordMove(em, tx, id, none, { queueId, assigneeId }, 'manual');
      else if (queueId) {
        const placed = await this.assignment.routeInQueue(em, tx, id, queueId, { bump: false });
        if (!placed)
          await this.assignment.recordMove(em, tx, id, none, { queueId, assigneeId: null }, 'manual');
      } else await this.assignment.byRules(em, tx, id);
      await this.sla.apply(em, tx, id, now);
      return this.present(em, tx, id);
    });
  }

  override async update(
    ctx: RequestContext,
    id: string,
    patch: Values,
    expectedVersion?: number,
  ): Promise<RecordData> {
    this.require(ctx, 'update');
    if (patch.assigneeId !== undefined) this.requireAssignee(ctx);
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const before = (await this.locks.lock(em, tx, CASE, id, [
        'status',
        'queueId',
        'assigneeId',
      ])) as unknown as {
        status: CaseStatus;
        queueId: string | null;
        assigneeId: string | null;
      };
      const to = patch.status as CaseStatus | undefined;
      if (before.status === 'closed' && Object.values(patch).some((v) => v !== undefined))
        throw conflict('status', 'closed', 'a closed case is final and read-only');
      if (to && to !== before.status && !CASE_TRANSITIONS[before.status].includes(to))
        throw conflict(
          'status',
          'transition',
          `a ${before.status} case cannot become ${to} (allowed: ${CASE_TRANSITIONS[before.status].join(', ') || 'none'})`,
        );
      if (typeof patch.assigneeId === 'string') await checkAssignee(em, patch.assigneeId);
      const updated = await this.records.update(tx, CASE, id, patch, expectedVersion);
      const now = this.clock.now();
      if (to && to !== before.status) await this.lifecycle(em, id, before.status, to, now);
      const after: Placement = {
        queueId: (patch.queueId !== undefined ? patch.queueId : before.queueId) as string | null,
        assigneeId: (patch.assigneeId !== undefined ? patch.assigneeId : before.assigneeId) as string | null,
      };
      await this.assignment.recordMove(em, tx, id, before, after, 'manual', {
        details: { version: updated.version },
      });
      if (after.queueId && !after.assigneeId && after.queueId !== before.queueId)
        await this.assignment.routeInQueue(em, tx, id, after.queueId, { bump: false });
      await this.sla.apply(em, tx, id, now);
      return this.present(em, tx, id);
    });
  }

  /** Adds a comment; the first public one by an agent (a user, not for a contact) is the first response. */
  async addComment(
    ctx: RequestContext,
    caseId: string,
    input: CreateCaseCommentInput,
  ): Promise<CaseCommentDto> {
    this.require(ctx, 'update');
    return this.db.inTransaction(ctx, async (tx, em) => {
      const c = await this.locks.lockWritable(em, tx, CASE, caseId, ['status', 'firstRespondedAt']);
      if (c.status === 'closed') throw conflict('status', 'closed', 'a closed case takes no more comments');
      const contactId = input.authorContactId ?? null;
      if (contactId) {
        const found: unknown[] = await em.query(
          `SELECT 1 FROM contacts WHERE id = $1::uuid AND deleted_at IS NULL`,
          [contactId],
        );
        if (found.length === 0)
          throw invalid('authorContactId', 'not_found', 'authorContactId refers to no contact');
      }
      const authorId = ctx.principal.userId ?? null;
      const isPublic = input.isPublic ?? false;
      const now = this.clock.now();
      const id = newId();
      const [comment] = (await em.query(
        `INSERT INTO case_comments AS m (tenant_id, id, case_id, body, is_public, author_id, author_contact_id, created_at)
         VALUES (app_tenant_id(), $1::uuid, $2::uuid, $3, $4, $5::uuid, $6::uuid, $7)
         RETURNING ${COMMENT_COLUMNS}`,
        [id, caseId, input.body, isPublic, authorId, contactId, now],
      )) as CaseCommentDto[];
      await this.audit.record(em, tx, {
        action: 'create',
        object: 'caseComment',
        recordId: id,
        details: { caseId, isPublic, authorType: contactId ? 'contact' : ctx.principal.type },
      });
      await this.outbox.emit(em, tx, [
        {
          type: 'cases.comment_added',
          object: CASE.plural,
          recordId: caseId,
          payload: { caseId, commentId: id, isPublic },
        },
      ]);
      const agentReply = isPublic && !contactId && authorId !== null;
      if (agentReply && c.firstRespondedAt === null) {
        const [{ version }] = updatedRows<{ version: number }>(
          await em.query(
            `UPDATE cases SET first_responded_at = $2, version = version + 1, updated_at = now() WHERE id = $1::uuid
             RETURNING version`,
            [caseId, now],
          ),
        );
        const sla = await this.sla.apply(em, tx, caseId, now);
        await this.outbox.emit(em, tx, [
          {
            type: 'cases.updated',
            object: CASE.plural,
            recordId: caseId,
            payload: { version, fields: ['firstRespondedAt'] },
          },
        ]);
        await this.audit.record(em, tx, {
          action: 'update',
          object: CASE.name,
          recordId: caseId,
          changes: {
            firstRespondedAt: { before: null, after: now.toISOString() },
            ...(sla.firstResponseBreached ? { firstResponseBreached: { before: false, after: true } } : {}),
          },
          details: { commentId: id },
        });
      }
      return comment;
    });
  }

  /** Comments of a visible case, oldest first (internal notes included: docs/service.md#comments). */
  async comments(ctx: RequestContext, caseId: string, isPublic?: boolean): Promise<CaseCommentDto[]> {
    return this.childrenOf(ctx, caseId, (ids) => this.commentsOf(ctx, ids, isPublic));
  }

  /** Comments of several cases in one query (GraphQL `Case.comments`); invisible cases get none. */
  async commentsOf(
    ctx: RequestContext,
    caseIds: readonly string[],
    isPublic?: boolean,
  ): Promise<Map<string, CaseCommentDto[]>> {
    this.require(ctx, 'read');
    return this.db.read(ctx, async (em) => {
      const ids = await this.visibleIds(em, ctx, caseIds);
      const rows: CaseCommentDto[] = await em.query(
        `SELECT ${COMMENT_COLUMNS} FROM case_comments m
          WHERE m.case_id = ANY($1::uuid[]) AND ($2::boolean IS NULL OR m.is_public = $2::boolean)
          ORDER BY m.created_at, m.id`,
        [ids, isPublic ?? null],
      );
      return groupBy(caseIds, rows);
    });
  }

  /** The reassignment history of a visible case, oldest first. */
  async assignments(ctx: RequestContext, caseId: string): Promise<CaseAssignmentDto[]> {
    return this.childrenOf(ctx, caseId, (ids) => this.assignmentsOf(ctx, ids));
  }

  /** Histories of several cases in one query (GraphQL `Case.assignments`). */
  async assignmentsOf(
    ctx: RequestContext,
    caseIds: readonly string[],
  ): Promise<Map<string, CaseAssignmentDto[]>> {
    this.require(ctx, 'read');
    return this.db.read(ctx, async (em) => {
      const ids = await this.visibleIds(em, ctx, caseIds);
      const rows: CaseAssignmentDto[] = await em.query(
        `SELECT ${ASSIGNMENT_COLUMNS} FROM case_assignments a WHERE a.case_id = ANY($1::uuid[]) ORDER BY a.assigned_at, a.id`,
        [ids],
      );
      return groupBy(caseIds, rows);
    });
  }

  /** One case's children, 404 unless the case is visible. */
  private async childrenOf<T>(
    ctx: RequestContext,
    caseId: string,
    load: (ids: string[]) => Promise<Map<string, T[]>>,
  ): Promise<T[]> {
    this.require(ctx, 'read');
    await this.db.read(ctx, async (em) => {
      if ((await this.visibleIds(em, ctx, [caseId])).length === 0) throw notFound(CASE, caseId);
    });
    return (await load([caseId])).get(caseId) ?? [];
  }

  /** Records the customer's satisfaction on a solved or closed case (again: replaces it). */
  async setCsat(ctx: RequestContext, caseId: string, input: CaseCsatInput): Promise<RecordData> {
    this.require(ctx, 'update');
    return this.db.inTransaction(ctx, async (tx, em) => {
      const c = await this.locks.lockWritable(em, tx, CASE, caseId, ['status', 'csatScore', 'version']);
      if (c.status !== 'solved' && c.status !== 'closed')
        throw conflict('status', 'not_solved', 'CSAT is given on solved or closed cases only');
      const now = this.clock.now();
      await em.query(
        `UPDATE cases SET csat_score = $2, csat_comment = $3, csat_at = $4, version = version + 1, updated_at = now()
          WHERE id = $1::uuid`,
        [caseId, input.score, input.comment ?? null, now],
      );
      const version = (c.version as number) + 1;
      await this.audit.record(em, tx, {
        action: 'update',
        object: CASE.name,
        recordId: caseId,
        changes: { csatScore: { before: c.csatScore ?? null, after: input.score } },
        details: { version },
      });
      await this.outbox.emit(em, tx, [
        {
          type: 'cases.updated',
          object: CASE.plural,
          recordId: caseId,
          payload: { version, fields: ['csatScore', 'csatComment', 'csatAt'] },
        },
      ]);
      return this.present(em, tx, caseId);
    });
  }

  /** Timestamps of a status change (the SLA clock follows in CaseSlaService). */
  private async lifecycle(
    em: EntityManager,
    id: string,
    from: CaseStatus,
    to: CaseStatus,
    now: Date,
  ): Promise<void> {
    if (to === 'solved') await em.query(`UPDATE cases SET resolved_at = $2 WHERE id = $1::uuid`, [id, now]);
    else if (to === 'closed')
      await em.query(`UPDATE cases SET closed_at = $2 WHERE id = $1::uuid`, [id, now]);
    else if (from === 'solved')
      // reopened: the resolution clock resumes from what it had used
      await em.query(
        `UPDATE cases SET resolved_at = NULL, business_resolution_minutes = NULL WHERE id = $1::uuid`,
        [id],
      );
  }

  /** The case as the caller may see it (hidden fields absent), even if it is no longer visible to them. */
  private async present(em: EntityManager, ctx: RequestContext, id: string): Promise<RecordData> {
    const access = await this.fieldPolicy.resolve(ctx);
    const [row] = (await em.query(`SELECT ${selectList(CASE.fields)} FROM cases t WHERE t.id = $1::uuid`, [
      id,
    ])) as RecordData[];
    return access.present(CASE, row);
  }

  /** The live cases among `ids` the caller may read. */
  private async visibleIds(
    em: EntityManager,
    ctx: RequestContext,
    ids: readonly string[],
  ): Promise<string[]> {
    const params = new SqlParams([ids]);
    const where = ['t.id = ANY($1::uuid[])', 't.deleted_at IS NULL'];
    const readable = this.policy.readPredicate(ctx, CASE, 't', params);
    if (readable) where.push(readable);
    const rows: { id: string }[] = await em.query(
      `SELECT t.id FROM cases t WHERE ${where.join(' AND ')}`,
      params.values,
    );
    return rows.map((r) => r.id);
  }

  private requireAssignee(ctx: RequestContext): void {
    const permission = recordPermission('cases', 'assign');
    if (ctx.can(permission)) return;
    const message = `assigneeId can be set only with the ${permission} permission`;
    throw new DomainError('VALIDATION_FAILED', `Invalid case: ${message}.`, [
      { field: 'assigneeId', code: 'forbidden', message },
    ]);
  }
}

/** An assignee is an active user of the tenant (400 naming assigneeId otherwise). */
async function checkAssignee(em: EntityManager, userId: string): Promise<void> {
  const found: unknown[] = await em.query(`SELECT 1 FROM users WHERE id = $1::uuid AND status = 'active'`, [
    userId,
  ]);
  if (found.length === 0) throw invalid('assigneeId', 'not_found', 'assigneeId refers to no active user');
}

/** Rows by their caseId, every asked id present (empty when it has none). */
function groupBy<T extends { caseId: string }>(caseIds: readonly string[], rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>(caseIds.map((id) => [id, []]));
  for (const row of rows) out.get(row.caseId)?.push(row);
  return out;
}

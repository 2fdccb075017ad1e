import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import { invalid, SalesRecords } from '../../sales/sales-sql.js';
import { CASE_QUEUE } from '../cases/case.object.js';
import type { CaseQueueMemberDto, CaseQueueMemberInput } from './case-queue.dto.js';

const MEMBER_COLUMNS = `m.user_id AS "userId", m.active, m.position, m.last_assigned_at AS "lastAssignedAt"`;

/**
 * Case queues: plain records (`case-queues:<action>`) plus their members. `PUT …/members`
 * replaces the member list (needs `case-queues:update`); the round-robin state of members who stay
 * is kept, so editing the list does not restart the rotation.
 */
@Injectable()
export class CaseQueuesService extends ObjectService {
  constructor(
    records: RecordService,
    private readonly db: TenantDb,
    private readonly locks: SalesRecords,
    private readonly audit: AuditService,
  ) {
    super(records, CASE_QUEUE);
  }

  async members(ctx: RequestContext, queueId: string): Promise<CaseQueueMemberDto[]> {
    this.require(ctx, 'read');
    return this.db.inTransaction(ctx, async (tx, em) => {
      await this.records.get(tx, CASE_QUEUE, queueId);
      return loadMembers(em, queueId);
    });
  }

  async setMembers(
    ctx: RequestContext,
    queueId: string,
    members: CaseQueueMemberInput[],
  ): Promise<CaseQueueMemberDto[]> {
    this.require(ctx, 'update');
    return this.db.inTransaction(ctx, async (tx, em) => {
      await this.locks.lockWritable(em, tx, CASE_QUEUE, queueId, []);
      const ids = members.map((m) => m.userId.toLowerCase());
      if (new Set(ids).size !== ids.length)
        throw invalid('members', 'duplicate', 'members lists a user more than once');
      const found: { id: string }[] = await em.query(
        `SELECT id FROM users WHERE id = ANY($1::uuid[]) AND status = 'active'`,
        [ids],
      );
      const known = new Set(found.map((u) => u.id));
      const missing = ids.findIndex((id) => !known.has(id));
      if (missing >= 0)
        throw invalid(`members[${missing}].userId`, 'not_found', 'userId refers to no active user');
      const before = await loadMembers(em, queueId);
      await em.query(
        `DELETE FROM case_queue_members WHERE queue_id = $1::uuid AND NOT (user_id = ANY($2::uuid[]))`,
        [queueId, ids],
      );
      await em.query(
        `INSERT INTO case_queue_members (tenant_id, queue_id, user_id, active, position)
         SELECT app_tenant_id(), $1::uuid, m.user_id, m.active, m.position::int
           FROM unnest($2::uuid[], $3::boolean[]) WITH ORDINALITY AS m(user_id, active, position)
         ON CONFLICT (tenant_id, queue_id, user_id) DO UPDATE SET active = excluded.active, position = excluded.position`,
        [queueId, ids, members.map((m) => m.active ?? true)],
      );
      const after = await loadMembers(em, queueId);
      await this.audit.record(em, tx, {
        action: 'update',
        object: CASE_QUEUE.name,
        recordId: queueId,
        changes: {
          members: {
            before: before.map((m) => ({ userId: m.userId, active: m.active })),
            after: after.map((m) => ({ userId: m.userId, active: m.active })),
          },
        },
      });
      return after;
    });
  }
}

function loadMembers(em: EntityManager, queueId: string): Promise<CaseQueueMemberDto[]> {
  return em.query(
    `SELECT ${MEMBER_COLUMNS} FROM case_queue_members m WHERE m.queue_id = $1::uuid ORDER BY m.position, m.user_id`,
    [queueId],
  );
}

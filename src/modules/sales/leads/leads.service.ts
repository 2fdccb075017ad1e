import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { LeadAssignmentService } from '../assignment/lead-assignment.service.js';
import { invalid, SalesRecords } from '../sales-sql.js';
import { LEAD, LEAD_QUEUE } from './lead.object.js';

type Values = Record<string, unknown>;

/**
 * Leads: the generic record operations, plus
 * - a lead created without an explicit `ownerId` is assigned by the tenant's assignment rules in
 *   the creating transaction (the response shows the result);
 * - `converted` is a status only the conversion sets (400 naming `status` otherwise), and a
 *   converted lead is read-only: an update is a 409.
 */
@Injectable()
export class LeadsService extends ObjectService {
  constructor(
    records: RecordService,
    private readonly db: TenantDb,
    private readonly sales: SalesRecords,
    private readonly assignment: LeadAssignmentService,
    private readonly fieldPolicy: FieldPolicy,
  ) {
    super(records, LEAD);
  }

  override async create(ctx: RequestContext, input: Values): Promise<RecordData> {
    this.require(ctx, 'create');
    refuseConverted(input);
    const byRules = input.ownerId === undefined;
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const created = await super.create(tx, input);
      if (!byRules) return created;
      const assigned = (await this.assignment.assign(em, tx, [created.id as string])).get(
        created.id as string,
      );
      if (!assigned) return created;
      // The creator sees the lead as the rules left it (fields hidden from them stay absent).
      for (const [key, value] of Object.entries(assigned)) if (key in created) created[key] = value;
      return created;
    });
  }

  override async update(
    ctx: RequestContext,
    id: string,
    patch: Values,
    expectedVersion?: number,
  ): Promise<RecordData> {
    this.require(ctx, 'update');
    refuseConverted(patch);
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const current = await this.sales.lock(em, tx, LEAD, id, ['status']);
      if (current.status === 'converted')
        throw new DomainError(
          'CONFLICT',
          'The lead is converted and read-only; change the account, contact or opportunity it became instead.',
          [{ field: 'status', code: 'converted', message: 'a converted lead cannot be changed' }],
        );
      return super.update(tx, id, patch, expectedVersion);
    });
  }
}

/** Lead queues: plain records (a name and a description) that assignment rules route leads to. */
@Injectable()
export class LeadQueuesService extends ObjectService {
  constructor(records: RecordService) {
    super(records, LEAD_QUEUE);
  }
}

function refuseConverted(values: Values): void {
  if (values.status === 'converted')
    throw invalid('status', 'conversion_only', 'status converted is set only by POST /v1/leads/{id}/convert');
}

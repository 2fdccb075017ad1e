import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { newId } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { RecordService } from '../../../platform/records/record.service.js';
import { registry } from '../../../platform/registry/object-registry.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { RecordPolicy } from '../../../platform/security/policy/record-policy.js';
import { conflict, invalid, SalesRecords } from '../sales-sql.js';
import type { AddContactRoleInput, ContactRoleDto } from './contact-role.dto.js';
import { OPPORTUNITY } from './opportunity.object.js';

const COLUMNS = `r.id, r.opportunity_id AS "opportunityId", r.contact_id AS "contactId", r.role,
  (r.contact_id IS NOT DISTINCT FROM o.primary_contact_id) AS "isPrimary", r.created_at AS "createdAt"`;

/**
 * Contact roles: which contacts are involved in a deal and how. Listing needs read on the
 * opportunity and on contacts, and shows only contacts the caller may see; adding and removing
 * need update on a visible, writable opportunity, and are audited on the opportunity
 * (`contact_role_add`, `contact_role_remove`). `isPrimary` is the opportunity's primaryContactId,
 * so the two can never disagree.
 */
@Injectable()
export class ContactRolesService {
  constructor(
    private readonly db: TenantDb,
    private readonly records: RecordService,
    private readonly sales: SalesRecords,
    private readonly policy: RecordPolicy,
    private readonly audit: AuditService,
    private readonly fieldPolicy: FieldPolicy,
  ) {}

  async list(ctx: RequestContext, opportunityId: string): Promise<ContactRoleDto[]> {
    assertPermission(ctx, 'opportunities:read', 'contacts:read');
    await this.records.get(ctx, OPPORTUNITY, opportunityId, { fields: 'id' });
    return (await this.listMany(ctx, [opportunityId])).get(opportunityId) ?? [];
  }

  /** The roles of several (already visible) opportunities in one statement (GraphQL). */
  async listMany(
    ctx: RequestContext,
    opportunityIds: readonly string[],
  ): Promise<Map<string, ContactRoleDto[]>> {
    assertPermission(ctx, 'opportunities:read', 'contacts:read');
    const rows = await this.db.run(ctx, (em) => {
      const params = new SqlParams([opportunityIds]);
      const visible = this.policy.readPredicate(ctx, registry.get('contact'), 'c', params);
      return em.query(
        `SELECT ${COLUMNS} FROM opportunity_contact_roles r
           JOIN opportunities o ON o.tenant_id = r.tenant_id AND o.id = r.opportunity_id
           JOIN contacts c ON c.tenant_id = r.tenant_id AND c.id = r.contact_id AND c.deleted_at IS NULL
          WHERE r.opportunity_id = ANY($1::uuid[])${visible ? ` AND ${visible}` : ''}
          ORDER BY r.opportunity_id, r.created_at, r.id`,
        params.values,
      ) as Promise<ContactRoleDto[]>;
    });
    const out = new Map<string, ContactRoleDto[]>(opportunityIds.map((id) => [id, []]));
    for (const row of rows) out.get(row.opportunityId)?.push(row);
    return out;
  }

  async add(ctx: RequestContext, opportunityId: string, input: AddContactRoleInput): Promise<ContactRoleDto> {
    assertPermission(ctx, 'opportunities:update', 'contacts:read');
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      await this.sales.lockWritable(em, tx, OPPORTUNITY, opportunityId, ['id']);
      const contact = await this.records.getMany(tx, registry.get('contact'), [input.contactId]);
      if (!contact.has(input.contactId))
        throw invalid('contactId', 'not_found', `contactId refers to no contact (${input.contactId})`);
      const existing: { id: string }[] = await em.query(
        `SELECT id FROM opportunity_contact_roles WHERE opportunity_id = $1::uuid AND contact_id = $2::uuid`,
        [opportunityId, input.contactId],
      );
      if (existing.length > 0)
        throw conflict('contactId', 'duplicate', 'the contact already has a role on this opportunity');
      const id = newId();
      await em.query(
        `INSERT INTO opportunity_contact_roles (tenant_id, id, opportunity_id, contact_id, role)
         VALUES (app_tenant_id(), $1::uuid, $2::uuid, $3::uuid, $4)`,
        [id, opportunityId, input.contactId, input.role],
      );
      if (input.isPrimary)
        await this.records.update(tx, OPPORTUNITY, opportunityId, { primaryContactId: input.contactId });
      const role = await this.one(em, id);
      await this.audit.record(em, tx, {
        action: 'contact_role_add',
        object: OPPORTUNITY.name,
        recordId: opportunityId,
        changes: {
          contactRole: { before: null, after: { id, contactId: input.contactId, role: input.role } },
        },
      });
      return role!;
    });
  }

  async remove(ctx: RequestContext, opportunityId: string, roleId: string): Promise<void> {
    assertPermission(ctx, 'opportunities:update');
    await this.fieldPolicy.resolve(ctx);
    await this.db.inTransaction(ctx, async (tx, em) => {
      await this.sales.lockWritable(em, tx, OPPORTUNITY, opportunityId, ['id']);
      const role = await this.one(em, roleId);
      if (role?.opportunityId !== opportunityId)
        throw new DomainError('NOT_FOUND', `No contact role ${roleId} on opportunity ${opportunityId}.`);
      await em.query(`DELETE FROM opportunity_contact_roles WHERE id = $1::uuid`, [roleId]);
      if (role.isPrimary)
        await this.records.update(tx, OPPORTUNITY, opportunityId, { primaryContactId: null });
      await this.audit.record(em, tx, {
        action: 'contact_role_remove',
        object: OPPORTUNITY.name,
        recordId: opportunityId,
        changes: {
          contactRole: { before: { id: roleId, contactId: role.contactId, role: role.role }, after: null },
        },
      });
    });
  }

  private async one(em: EntityManager, id: string): Promise<ContactRoleDto | undefined> {
    const rows: ContactRoleDto[] = await em.query(
      `SELECT ${COLUMNS} FROM opportunity_contact_roles r
         JOIN opportunities o ON o.tenant_id = r.tenant_id AND o.id = r.opportunity_id
        WHERE r.id = $1::uuid`,
      [id],
    );
    return rows[0];
  }
}

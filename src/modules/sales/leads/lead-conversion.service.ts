import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { updatedChanges } from '../../../platform/audit/record-diff.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { selectList } from '../../../platform/records/record-sql.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { AccountsService } from '../../customers/accounts/accounts.service.js';
import { ContactsService } from '../../customers/contacts/contacts.service.js';
import { OpportunitiesService } from '../opportunities/opportunities.service.js';
import { conflict, invalid, nested, SalesRecords, updatedRows } from '../sales-sql.js';
import type { ConvertLeadInput } from './lead.dto.js';
import { LEAD } from './lead.object.js';

export interface LeadConversion {
  lead: RecordData;
  accountId: string;
  accountCreated: boolean;
  contactId: string;
  contactCreated: boolean;
  opportunityId: string | null;
}

/** Mailbox providers: an address there says nothing about the person's company. */
const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'hotmail.com',
  'outlook.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'proton.me',
  'protonmail.com',
  'yandex.ru',
  'mail.ru',
  'qq.com',
]);

/**
 * Lead conversion (`POST /v1/leads/{id}/convert`): in ONE transaction, find or create the account,
 * find or create the contact, optionally create an opportunity, and mark the lead converted
 * (read-only from then on). Each record is made through its own service — the same permissions,
 * record- and field-level security, validation and `create` audit events as a direct create —
 * and the lead gets one `convert` event naming what it became. All of it shares the request id and
 * the transaction: any failure (a refused permission, a bad stage, a conflict) leaves nothing.
 */
@Injectable()
export class LeadConversionService {
  constructor(
    private readonly db: TenantDb,
    private readonly sales: SalesRecords,
    private readonly accounts: AccountsService,
    private readonly contacts: ContactsService,
    private readonly opportunities: OpportunitiesService,
    private readonly audit: AuditService,
    private readonly fieldPolicy: FieldPolicy,
  ) {}

  async convert(ctx: RequestContext, leadId: string, input: ConvertLeadInput): Promise<LeadConversion> {
    assertPermission(ctx, 'leads:update');
    const access = await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const lead = await this.sales.lockWritable(
        em,
        tx,
        LEAD,
        leadId,
        LEAD.fields.map((f) => f.name),
      );
      if (lead.status === 'converted')
        throw conflict(
          'status',
          'converted',
          `the lead was already converted (${String(lead.convertedAt instanceof Date ? lead.convertedAt.toISOString() : lead.convertedAt)})`,
        );

      const account = await this.account(tx, lead, input.accountId);
      const contact = await this.contact(tx, lead, account.id, input.contactId);
      let opportunityId: string | null = null;
      if (input.opportunity) {
        const o = input.opportunity;
        try {
          const created = await this.opportunities.create(tx, {
            name: o.name ?? (lead.company as string | null) ?? leadName(lead),
            accountId: account.id,
            primaryContactId: contact.id,
            pipelineId: o.pipelineId,
            stageId: o.stageId,
            amount: o.amount,
            currency: o.currency,
            closeDate: o.closeDate,
            source: lead.source ?? undefined,
          });
          opportunityId = created.id as string;
        } catch (e) {
          throw nested(e, 'opportunity');
        }
      }

      const after = await this.markConverted(em, tx, leadId, account.id, contact.id, opportunityId);
      await this.audit.record(em, tx, {
        action: 'convert',
        object: LEAD.name,
        recordId: leadId,
        changes: updatedChanges(LEAD, lead, after),
        details: {
          version: after.version,
          accountId: account.id,
          accountCreated: account.created,
          contactId: contact.id,
          contactCreated: contact.created,
          opportunityId,
        },
      });
      return {
        lead: access.present(LEAD, after),
        accountId: account.id,
        accountCreated: account.created,
        contactId: contact.id,
        contactCreated: contact.created,
        opportunityId,
      };
    });
  }

  /** The account given, else the oldest visible one at the lead's domain, else a new one. */
  private async account(
    ctx: RequestContext,
    lead: RecordData,
    accountId: string | undefined,
  ): Promise<{ id: string; created: boolean }> {
    if (accountId) {
      const found = await this.accounts.getMany(ctx, [accountId]);
      if (!found.has(accountId))
        throw invalid('accountId', 'not_found', `accountId refers to no account (${accountId})`);
      return { id: accountId, created: false };
    }
    const domain = leadDomain(lead);
    if (domain) {
      const page = await this.accounts.list(
        ctx,
        { sort: 'createdAt', limit: 1, fields: 'id' },
        {
          where: (params, t) => {
            const d = params.add(domain);
            return `(lower(${t}."domain") = ${d} OR ${hostSql(`${t}."website"`)} = ${d})`;
          },
        },
      );
      const match = page.data[0];
      if (match) return { id: match.id as string, created: false };
    }
    const name = (lead.company as string | null) ?? leadName(lead);
    const fields: Record<string, unknown> = {
      name,
      domain: domain ?? undefined,
      website: lead.website ?? undefined,
      industry: lead.industry ?? undefined,
      employees: lead.employees ?? undefined,
      billingAddress: lead.address ?? undefined,
    };
    const created = await this.accounts.create(ctx, fields);
    return { id: created.id as string, created: true };
  }

  /** The contact given, else a new one at the account from the lead's person fields. */
  private async contact(
    ctx: RequestContext,
    lead: RecordData,
    accountId: string,
    contactId: string | undefined,
  ): Promise<{ id: string; created: boolean }> {
    if (contactId) {
      const found = await this.contacts.getMany(ctx, [contactId]);
      if (!found.has(contactId))
        throw invalid('contactId', 'not_found', `contactId refers to no contact (${contactId})`);
      return { id: contactId, created: false };
    }
    const created = await this.contacts.create(ctx, {
      firstName: lead.firstName ?? undefined,
      lastName: lead.lastName,
      email: lead.email ?? undefined,
      phone: lead.phone ?? undefined,
      title: lead.title ?? undefined,
      accountId,
      address: lead.address ?? undefined,
      leadSource: lead.source ?? undefined,
    });
    return { id: created.id as string, created: true };
  }

  /** status converted and what it became; converted leads are read-only from here on. */
  private async markConverted(
    em: EntityManager,
    ctx: RequestContext,
    leadId: string,
    accountId: string,
    contactId: string,
    opportunityId: string | null,
  ): Promise<RecordData> {
    const rows: RecordData[] = await em
      .query(
        `UPDATE leads t SET status = 'converted', converted_account_id = $2::uuid, converted_contact_id = $3::uuid,
                converted_opportunity_id = $4::uuid, converted_at = now(), converted_by = $5::uuid,
                version = t.version + 1, updated_at = now()
          WHERE t.id = $1::uuid AND t.status <> 'converted'
        RETURNING ${selectList(LEAD.fields)}`,
        [leadId, accountId, contactId, opportunityId, ctx.principal.userId ?? null],
      )
      .then(updatedRows);
    if (!rows[0]) throw new DomainError('CONFLICT', 'The lead changed concurrently; retry.');
    return rows[0];
  }
}

function leadName(lead: RecordData): string {
  return [lead.firstName, lead.lastName].filter((s) => typeof s === 'string' && s.length > 0).join(' ');
}

/** The company domain a lead gives away: its website's host, else its email's domain (not a mailbox provider). */
export function leadDomain(lead: RecordData): string | null {
  const website = typeof lead.website === 'string' ? hostOf(lead.website) : null;
  if (website) return website;
  const email = typeof lead.email === 'string' ? lead.email.split('@')[1]?.toLowerCase() : undefined;
  return email && !PUBLIC_MAIL_DOMAINS.has(email) ? email : null;
}

/** `https://www.Acme.com/about` → `acme.com`. */
export function hostOf(url: string): string | null {
  const m = url.trim().match(/^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:www\.)?([^/:?#\s]+)/i);
  return m ? m[1].toLowerCase() : null;
}

/** The same as hostOf, in SQL, for account websites. */
function hostSql(column: string): string {
  return `lower(substring(${column} from '^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?(?:www\\.)?([^/:?#[:space:]]+)'))`;
}

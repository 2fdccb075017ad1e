import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import type { RequestContext } from '../../../platform/context/request-context.js';
import { newId } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError, FieldIssue } from '../../../platform/http/domain-error.js';
import { SqlParams } from '../../../platform/query/sql.js';
import type { Page } from '../../../platform/records/record.types.js';
import { ObjectDef, registry } from '../../../platform/registry/object-registry.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { AccessExplainer, AccessExplanation } from '../../../platform/security/policy/access-explain.js';
import {
  effectiveAccess,
  FIELD_ACCESS,
  FIELD_POLICY_MODES,
  FieldPolicy,
  pinnedFields,
  type FieldAccess,
  type FieldPolicyMode,
} from '../../../platform/security/policy/field-policy.js';
import {
  DEFAULT_SHARING,
  SHARING_ACCESS,
  type GranteeType,
  type ShareAccess,
  type SharingAccess,
} from '../../../platform/security/policy/record-policy.js';
import { keyset, keysetSql, toAdminPage } from '../admin-page.js';
import type {
  FieldPolicyDto,
  FieldPolicyInput,
  RecordShareDto,
  RecordShareGrantInput,
  RecordShareInput,
  SharingSettingDto,
  ShareListRequest,
} from './sharing.dto.js';
import { GRANTEE_TYPES, SHARE_ACCESS } from './sharing.dto.js';

export const SHARING_MANAGE = 'sharing:manage';

const SHARE_COLUMNS = `s.id, s.object, s.record_id AS "recordId", s.grantee_type AS "granteeType",
  s.grantee_id AS "granteeId", s.access, s.created_by AS "createdBy", s.created_at AS "createdAt"`;

const GRANTEE_TABLE: Record<GranteeType, string> = { user: 'users', team: 'teams', role: 'roles' };

const invalid = (field: string, message: string, code = 'invalid'): DomainError =>
  new DomainError('VALIDATION_FAILED', message, [{ field, code, message }]);

/**
 * The sharing admin API (`sharing:manage`): org-wide defaults, record shares, field policies and
 * the access explanation. Every change is audited (`permission_change`) in its transaction and
 * drops the field-policy cache of the tenant in this process (other replicas follow within
 * POLICY_TTL_MS; record-level settings are read inside each statement, so they apply at once).
 */
@Injectable()
export class SharingService {
  constructor(
    private readonly db: TenantDb,
    private readonly fields: FieldPolicy,
    private readonly audit: AuditService,
    private readonly explainer: AccessExplainer,
  ) {}

  /** `contacts` → the contact object; 404 for anything that is not a record object. */
  objectOf(plural: string): ObjectDef {
    const found = registry.all().find((o) => o.plural === plural);
    if (!found)
      throw new DomainError(
        'NOT_FOUND',
        `No object ${JSON.stringify(String(plural).slice(0, 60))}; objects: ${registry
          .all()
          .map((o) => o.plural)
          .join(', ')}.`,
      );
    return found;
  }

  // ------------------------------------------------------------------- org-wide defaults

  async listSettings(ctx: RequestContext): Promise<SharingSettingDto[]> {
    assertPermission(ctx, SHARING_MANAGE);
    const rows = await this.db.run(ctx, (em) => this.settingRows(em));
    return registry
      .all()
      .map((o) => this.setting(o, rows.get(o.plural)))
      .sort((a, b) => a.object.localeCompare(b.object));
  }

  async getSetting(ctx: RequestContext, plural: string): Promise<SharingSettingDto> {
    assertPermission(ctx, SHARING_MANAGE);
    const object = this.objectOf(plural);
    const rows = await this.db.run(ctx, (em) => this.settingRows(em, object.plural));
    return this.setting(object, rows.get(object.plural));
  }

  async putSetting(
    ctx: RequestContext,
    plural: string,
    defaultAccess: SharingAccess,
  ): Promise<SharingSettingDto> {
    assertPermission(ctx, SHARING_MANAGE);
    const object = this.objectOf(plural);
    if (!SHARING_ACCESS.includes(defaultAccess))
      throw invalid('defaultAccess', `defaultAccess must be one of ${SHARING_ACCESS.join(', ')}`);
    const row = await this.db.run(ctx, async (em) => {
      const before = (await this.settingRows(em, object.plural)).get(object.plural);
      const rows: { defaultAccess: SharingAccess; updatedAt: Date }[] = await em.query(
        `INSERT INTO object_sharing (tenant_id, object, default_access, updated_at, updated_by)
         VALUES (app_tenant_id(), $1, $2, now(), $3::uuid)
         ON CONFLICT (tenant_id, object) DO UPDATE
           SET default_access = EXCLUDED.default_access, updated_at = now(), updated_by = EXCLUDED.updated_by
         RETURNING default_access AS "defaultAccess", updated_at AS "updatedAt"`,
        [object.plural, defaultAccess, ctx.principal.userId ?? null],
      );
      await this.audit.record(em, ctx, {
        action: 'permission_change',
        object: 'sharingSetting',
        changes: {
          [object.plural]: { before: before?.defaultAccess ?? DEFAULT_SHARING, after: defaultAccess },
        },
        details: { kind: 'orgDefault', object: object.plural },
      });
      return rows[0];
    });
    return this.setting(object, row);
  }

  private async settingRows(
    em: EntityManager,
    plural?: string,
  ): Promise<Map<string, { defaultAccess: SharingAccess; updatedAt: Date }>> {
    const rows: { object: string; defaultAccess: SharingAccess; updatedAt: Date }[] = await em.query(
      `SELECT object, default_access AS "defaultAccess", updated_at AS "updatedAt" FROM object_sharing${plural ? ' WHERE object = $1' : ''}`,
      plural ? [plural] : [],
    );
    return new Map(rows.map((r) => [r.object, r]));
  }

  private setting(
    object: ObjectDef,
    row: { defaultAccess: SharingAccess; updatedAt: Date } | undefined,
  ): SharingSettingDto {
    return {
      object: object.plural,
      defaultAccess: row?.defaultAccess ?? DEFAULT_SHARING,
      isDefault: !row,
      updatedAt: row?.updatedAt ?? null,
    };
  }

  // ------------------------------------------------------------------------------ shares

  async listShares(ctx: RequestContext, query: ShareListRequest): Promise<Page> {
    assertPermission(ctx, SHARING_MANAGE);
    if (query.object !== undefined) this.objectOf(query.object);
    const page = keyset(query);
    const rows = await this.db.run(ctx, (em) => {
      const params = new SqlParams();
      const where = ['TRUE'];
      if (query.object !== undefined) where.push(`s.object = ${params.add(query.object)}`);
      if (query.recordId !== undefined) where.push(`s.record_id = ${params.add(query.recordId)}::uuid`);
      if (query.granteeType !== undefined) where.push(`s.grantee_type = ${params.add(query.granteeType)}`);
      if (query.granteeId !== undefined) where.push(`s.grantee_id = ${params.add(query.granteeId)}::uuid`);
      return em.query(
        `SELECT ${SHARE_COLUMNS} FROM record_shares s WHERE ${where.join(' AND ')}${keysetSql(page, params, 's')}`,
        params.values,
      ) as Promise<RecordShareDto[]>;
    });
    return toAdminPage(rows, page);
  }

  /** The shares of one record (404 if there is no such live record). */
  async recordShares(ctx: RequestContext, plural: string, recordId: string): Promise<RecordShareDto[]> {
    assertPermission(ctx, SHARING_MANAGE);
    const object = this.objectOf(plural);
    return this.db.run(ctx, async (em) => {
      await this.requireRecord(em, object, recordId);
      return em.query(
        `SELECT ${SHARE_COLUMNS} FROM record_shares s WHERE s.object = $1 AND s.record_id = $2::uuid ORDER BY s.id`,
        [object.plural, recordId],
      ) as Promise<RecordShareDto[]>;
    });
  }

  shareRecord(
    ctx: RequestContext,
    plural: string,
    recordId: string,
    grant: RecordShareGrantInput,
  ): Promise<{ share: RecordShareDto; created: boolean }> {
    return this.share(ctx, { ...grant, object: plural, recordId });
  }

  /**
   * Shares a record (one grant per grantee: sharing again changes the access). `created` tells
   * a new grant (201) from a changed one (200).
   */
  async share(
    ctx: RequestContext,
    input: RecordShareInput,
  ): Promise<{ share: RecordShareDto; created: boolean }> {
    assertPermission(ctx, SHARING_MANAGE);
    const object = this.objectOf(input.object);
    if (!GRANTEE_TYPES.includes(input.granteeType))
      throw invalid('granteeType', `granteeType must be one of ${GRANTEE_TYPES.join(', ')}`);
    if (!SHARE_ACCESS.includes(input.access))
      throw invalid('access', `access must be one of ${SHARE_ACCESS.join(', ')}`);
    return this.db.run(ctx, async (em) => {
      await this.requireRecord(em, object, input.recordId);
      const grantee: unknown[] = await em.query(
        `SELECT 1 FROM ${GRANTEE_TABLE[input.granteeType]} WHERE id = $1::uuid`,
        [input.granteeId],
      );
      if (grantee.length === 0)
        throw invalid('granteeId', `granteeId refers to no ${input.granteeType} of this tenant`, 'not_found');
      const rows: (RecordShareDto & { inserted: boolean; previous: ShareAccess | null })[] = await em.query(
        `WITH previous AS (
           SELECT access FROM record_shares
            WHERE object = $2 AND record_id = $3::uuid AND grantee_type = $4 AND grantee_id = $5::uuid)
         INSERT INTO record_shares AS s (tenant_id, id, object, record_id, grantee_type, grantee_id, access, created_by)
         VALUES (app_tenant_id(), $1::uuid, $2, $3::uuid, $4, $5::uuid, $6, $7::uuid)
         ON CONFLICT (tenant_id, object, record_id, grantee_type, grantee_id) DO UPDATE SET access = EXCLUDED.access
         RETURNING ${SHARE_COLUMNS}, (xmax = 0) AS inserted, (SELECT access FROM previous) AS previous`,
        [
          newId(),
          object.plural,
          input.recordId,
          input.granteeType,
          input.granteeId,
          input.access,
          ctx.principal.userId ?? null,
        ],
      );
      const { inserted, previous, ...share } = rows[0];
      await this.audit.record(em, ctx, {
        action: 'permission_change',
        object: 'recordShare',
        recordId: share.id,
        changes: { access: { before: previous, after: share.access } },
        details: {
          kind: 'share',
          object: object.plural,
          recordId: share.recordId,
          granteeType: share.granteeType,
          granteeId: share.granteeId,
        },
      });
      return { share, created: inserted };
    });
  }

  async unshare(ctx: RequestContext, id: string): Promise<void> {
    assertPermission(ctx, SHARING_MANAGE);
    await this.db.run(ctx, async (em) => {
      const rows: RecordShareDto[] = await em
        .query(`DELETE FROM record_shares s WHERE s.id = $1::uuid RETURNING ${SHARE_COLUMNS}`, [id])
        .then((r: unknown) =>
          Array.isArray(r) && Array.isArray(r[0]) ? (r[0] as RecordShareDto[]) : (r as RecordShareDto[]),
        );
      const share = rows[0];
      if (!share) throw new DomainError('NOT_FOUND', `No share with id ${id}.`);
      await this.audit.record(em, ctx, {
        action: 'permission_change',
        object: 'recordShare',
        recordId: share.id,
        changes: { access: { before: share.access, after: null } },
        details: {
          kind: 'unshare',
          object: share.object,
          recordId: share.recordId,
          granteeType: share.granteeType,
          granteeId: share.granteeId,
        },
      });
    });
  }

  private async requireRecord(em: EntityManager, object: ObjectDef, recordId: string): Promise<void> {
    const live = object.softDelete ? ' AND deleted_at IS NULL' : '';
    const rows: unknown[] = await em.query(`SELECT 1 FROM "${object.table}" WHERE id = $1::uuid${live}`, [
      recordId,
    ]);
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `No ${object.name} with id ${recordId}.`);
  }

  // ---------------------------------------------------------------------- field policies

  async getFieldPolicy(ctx: RequestContext, roleId: string, plural: string): Promise<FieldPolicyDto> {
    assertPermission(ctx, SHARING_MANAGE);
    const object = this.objectOf(plural);
    return this.db.run(ctx, async (em) => {
      await this.requireRole(em, roleId);
      return this.policyDto(object, roleId, await this.policyRow(em, roleId, object));
    });
  }

  /** Replaces a role's policy for an object (validated: known fields, valid access, pinned fields not hidden). */
  async putFieldPolicy(
    ctx: RequestContext,
    roleId: string,
    plural: string,
    input: FieldPolicyInput,
  ): Promise<FieldPolicyDto> {
    assertPermission(ctx, SHARING_MANAGE);
    const object = this.objectOf(plural);
    const rules = this.validRules(object, input);
    const dto = await this.db.run(ctx, async (em) => {
      await this.requireRole(em, roleId);
      const before = await this.policyRow(em, roleId, object);
      const rows: PolicyRow[] = await em.query(
        `INSERT INTO field_policies AS p (tenant_id, role_id, object, mode, rules)
         VALUES (app_tenant_id(), $1::uuid, $2, $3, $4::jsonb)
         ON CONFLICT (tenant_id, role_id, object) DO UPDATE
           SET mode = EXCLUDED.mode, rules = EXCLUDED.rules, updated_at = now(), version = p.version + 1
         RETURNING mode, rules, updated_at AS "updatedAt", version`,
        [roleId, object.plural, input.mode, JSON.stringify(rules)],
      );
      await this.audit.record(em, ctx, {
        action: 'permission_change',
        object: 'fieldPolicy',
        recordId: roleId,
        changes: {
          [object.plural]: {
            before: before ? { mode: before.mode, rules: before.rules } : null,
            after: { mode: input.mode, rules },
          },
        },
        details: { kind: 'fieldPolicy', object: object.plural, roleId },
      });
      return this.policyDto(object, roleId, rows[0]);
    });
    this.fields.invalidate(ctx.tenantId);
    return dto;
  }

  /** Removes a role's policy for an object: every field editable again. */
  async deleteFieldPolicy(ctx: RequestContext, roleId: string, plural: string): Promise<void> {
    assertPermission(ctx, SHARING_MANAGE);
    const object = this.objectOf(plural);
    await this.db.run(ctx, async (em) => {
      await this.requireRole(em, roleId);
      const before = await this.policyRow(em, roleId, object);
      if (!before) throw new DomainError('NOT_FOUND', `The role has no field policy for ${object.plural}.`);
      await em.query(`DELETE FROM field_policies WHERE role_id = $1::uuid AND object = $2`, [
        roleId,
        object.plural,
      ]);
      await this.audit.record(em, ctx, {
        action: 'permission_change',
        object: 'fieldPolicy',
        recordId: roleId,
        changes: { [object.plural]: { before: { mode: before.mode, rules: before.rules }, after: null } },
        details: { kind: 'fieldPolicy', object: object.plural, roleId },
      });
    });
    this.fields.invalidate(ctx.tenantId);
  }

  private validRules(object: ObjectDef, input: FieldPolicyInput): Record<string, FieldAccess> {
    const issues: FieldIssue[] = [];
    if (!FIELD_POLICY_MODES.includes(input.mode))
      issues.push({
        field: 'mode',
        code: 'invalid',
        message: `mode must be one of ${FIELD_POLICY_MODES.join(', ')}`,
      });
    const rules = input.rules;
    if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
      issues.push({
        field: 'rules',
        code: 'invalid',
        message: 'rules must be an object: field → hidden, read or edit',
      });
    } else {
      const pinned = pinnedFields(object);
      for (const [name, access] of Object.entries(rules)) {
        const at = `rules.${name.slice(0, 100)}`;
        if (!object.fields.some((f) => f.name === name))
          issues.push({
            field: at,
            code: 'unknown_field',
            message: `${object.plural} has no field ${name.slice(0, 60)}`,
          });
        else if (!FIELD_ACCESS.includes(access as FieldAccess))
          issues.push({ field: at, code: 'invalid', message: `${name} must be hidden, read or edit` });
        else if (access === 'hidden' && pinned.has(name))
          issues.push({
            field: at,
            code: 'pinned',
            message: `${name} cannot be hidden (system and default-sort fields are always readable); use read`,
          });
      }
    }
    if (issues.length)
      throw new DomainError(
        'VALIDATION_FAILED',
        `Invalid field policy: ${issues.map((i) => i.message).join('; ')}.`,
        issues,
      );
    return { ...(rules as Record<string, FieldAccess>) };
  }

  private async policyRow(
    em: EntityManager,
    roleId: string,
    object: ObjectDef,
  ): Promise<PolicyRow | undefined> {
    const rows: PolicyRow[] = await em.query(
      `SELECT mode, rules, updated_at AS "updatedAt", version FROM field_policies WHERE role_id = $1::uuid AND object = $2`,
      [roleId, object.plural],
    );
    return rows[0];
  }

  private policyDto(object: ObjectDef, roleId: string, row: PolicyRow | undefined): FieldPolicyDto {
    const policy = row ? { mode: row.mode, rules: row.rules } : undefined;
    return {
      roleId,
      object: object.plural,
      configured: row !== undefined,
      mode: row?.mode ?? 'denyList',
      rules: row?.rules ?? {},
      effective: Object.fromEntries(effectiveAccess(object, policy)),
      updatedAt: row?.updatedAt ?? null,
      version: row?.version ?? null,
    };
  }

  private async requireRole(em: EntityManager, roleId: string): Promise<void> {
    const rows: unknown[] = await em.query(`SELECT 1 FROM roles WHERE id = $1::uuid`, [roleId]);
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `No role with id ${roleId}.`);
  }

  // ------------------------------------------------------------------------------ explain

  /** Why `userId` (default: the caller) can or cannot read and write a record. */
  explain(
    ctx: RequestContext,
    plural: string,
    recordId: string,
    userId?: string,
  ): Promise<AccessExplanation> {
    assertPermission(ctx, SHARING_MANAGE);
    const object = this.objectOf(plural);
    const who = userId ?? ctx.principal.userId;
    if (!who) throw invalid('userId', 'userId is required when the caller is not a user', 'required');
    return this.explainer.explain(ctx, object, recordId, who);
  }
}

interface PolicyRow {
  mode: FieldPolicyMode;
  rules: Record<string, FieldAccess>;
  updatedAt: Date;
  version: number;
}

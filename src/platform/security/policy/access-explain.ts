/**
 * `GET /v1/{object}/{id}/access?userId=`: why a user can or cannot read and write a record.
 *
 * Each rule is evaluated by the SAME SQL terms RecordPolicy ORs into the enforced predicate
 * (RecordPolicy.ruleTerms), for the user asked about rather than the caller, in one statement; the
 * explanation therefore cannot drift from what is enforced. Words and share ids are added from a
 * second lookup.
 */
import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../context/request-context.js';
import { TenantDb } from '../../database/tenant-db.js';
import { DomainError } from '../../http/domain-error.js';
import { col, SqlParams } from '../../query/sql.js';
import type { ObjectDef } from '../../registry/object-registry.js';
import { roleGrants } from '../permissions.js';
import { FieldPolicy, type FieldAccess } from './field-policy.js';
import {
  ACCESS_RULES,
  DEFAULT_SHARING,
  OWNER_FIELD,
  RecordPolicy,
  type AccessRule,
  type PolicySubject,
} from './record-policy.js';

export type Grant = 'none' | 'read' | 'readWrite';

export interface AccessDecision {
  allowed: boolean;
  rule: AccessRule | 'none';
}

export interface RuleResult {
  rule: AccessRule;
  grants: Grant;
  detail: string;
  shareIds: string[];
}

export interface AccessExplanation {
  object: string;
  recordId: string;
  userId: string;
  roleId: string | null;
  ownerId: string | null;
  deleted: boolean;
  read: AccessDecision;
  write: AccessDecision;
  rules: RuleResult[];
  fields: Record<string, FieldAccess>;
}

interface UserRow {
  id: string;
  isAdmin: boolean;
  roleId: string | null;
  roleName: string | null;
  builtinKey: string | null;
  permissions: string[] | null;
  teamIds: string[];
}

interface ShareRow {
  id: string;
  granteeType: 'user' | 'team' | 'role';
  granteeId: string;
  access: 'read' | 'readWrite';
}

@Injectable()
export class AccessExplainer {
  constructor(
    private readonly db: TenantDb,
    private readonly policy: RecordPolicy,
    private readonly fields: FieldPolicy,
  ) {}

  async explain(
    ctx: RequestContext,
    object: ObjectDef,
    recordId: string,
    userId: string,
  ): Promise<AccessExplanation> {
    const explained = await this.db.run(ctx, async (em) => {
      const users: UserRow[] = await em.query(
        `SELECT u.id, u.is_admin AS "isAdmin", u.role_id AS "roleId", r.name AS "roleName",
                r.builtin_key AS "builtinKey", r.permissions,
                ARRAY(SELECT m.team_id FROM team_members m WHERE m.user_id = u.id) AS "teamIds"
           FROM users u LEFT JOIN roles r ON r.id = u.role_id WHERE u.id = $1::uuid`,
        [userId],
      );
      const user = users[0];
      if (!user) throw new DomainError('NOT_FOUND', `No user with id ${userId}.`);
      const grants = user.permissions
        ? roleGrants({ builtinKey: user.builtinKey, permissions: user.permissions })
        : [];
      const admin = user.isAdmin
        ? 'is an administrator'
        : grants.includes('sharing:manage')
          ? 'holds sharing:manage'
          : null;
      const subject: PolicySubject = { unrestricted: admin !== null, userId: user.id, roleId: user.roleId };

      const params = new SqlParams([recordId]);
      const read = this.policy.ruleTerms(subject, object, 't', params, 'read');
      const write = this.policy.ruleTerms(subject, object, 't', params, 'write');
      const owner = object.fields.find((f) => f.name === OWNER_FIELD);
      const select = [
        owner ? `${col('t', owner.column)} AS "ownerId"` : 'NULL::uuid AS "ownerId"',
        object.softDelete ? 't."deleted_at" IS NOT NULL AS "deleted"' : 'FALSE AS "deleted"',
        ...read.map((term, i) => `(${term.sql}) AS "r${i}"`),
        ...write.map((term, i) => `(${term.sql}) AS "w${i}"`),
      ];
      const rows: Record<string, unknown>[] = await em.query(
        `SELECT ${select.join(', ')} FROM "${object.table}" t WHERE t."id" = $1::uuid`,
        params.values,
      );
      const row = rows[0];
      if (!row) throw new DomainError('NOT_FOUND', `No ${object.name} with id ${recordId}.`);
      const ownerId = (row.ownerId as string | null) ?? null;

      const shares: ShareRow[] = await em.query(
        `SELECT id, grantee_type AS "granteeType", grantee_id AS "granteeId", access
           FROM record_shares WHERE object = $1 AND record_id = $2::uuid ORDER BY id`,
        [object.plural, recordId],
      );
      const [setting]: { defaultAccess: string }[] = await em.query(
        `SELECT default_access AS "defaultAccess" FROM object_sharing WHERE object = $1`,
        [object.plural],
      );
      const ownerInfo: { roleName: string | null }[] = ownerId
        ? await em.query(
            `SELECT r.name AS "roleName" FROM users u LEFT JOIN roles r ON r.id = u.role_id WHERE u.id = $1::uuid`,
            [ownerId],
          )
        : [];

      const matching = (type: ShareRow['granteeType']) =>
        shares.filter(
          (s) =>
            s.granteeType === type &&
            (type === 'user'
              ? s.granteeId === user.id
              : type === 'team'
                ? user.teamIds.includes(s.granteeId)
                : s.granteeId === user.roleId),
        );
      const ownerRole = ownerInfo[0]?.roleName ?? null;
      const details: Record<AccessRule, (g: Grant) => string> = {
        admin: () =>
          admin ? `The user ${admin}: every record, every field.` : 'The user is not an administrator.',
        owner: () =>
          ownerId === null
            ? 'The record has no owner.'
            : ownerId === user.id
              ? 'The user owns the record.'
              : `The record is owned by another user (${ownerId}).`,
        hierarchy: (g) =>
          g !== 'none'
            ? `The owner’s role (${ownerRole ?? 'none'}) is below the user’s role (${user.roleName ?? 'none'}).`
            : `The owner’s role (${ownerRole ?? 'none'}) is not below the user’s role (${user.roleName ?? 'none'}).`,
        userShare: (g) => (g !== 'none' ? 'The record is shared with the user.' : 'No share with the user.'),
        teamShare: (g) =>
          g !== 'none'
            ? 'The record is shared with a team of the user.'
            : 'No share with a team of the user.',
        roleShare: (g) =>
          g !== 'none' ? 'The record is shared with the user’s role.' : 'No share with the user’s role.',
        orgDefault: () =>
          `The org-wide default of ${object.plural} is ${setting?.defaultAccess ?? `${DEFAULT_SHARING} (never set)`}.`,
      };
      const shareType: Partial<Record<AccessRule, ShareRow['granteeType']>> = {
        userShare: 'user',
        teamShare: 'team',
        roleShare: 'role',
      };
      const rules: RuleResult[] = read.map((term, i) => {
        const grants: Grant = row[`w${i}`] ? 'readWrite' : row[`r${i}`] ? 'read' : 'none';
        const type = shareType[term.rule];
        return {
          rule: term.rule,
          grants,
          detail: details[term.rule](grants),
          shareIds: type ? matching(type).map((s) => s.id) : [],
        };
      });
      const decide = (need: 'read' | 'write'): AccessDecision => {
        const hit = ACCESS_RULES.map((r) => rules.find((x) => x.rule === r)!).find((r) =>
          need === 'read' ? r.grants !== 'none' : r.grants === 'readWrite',
        );
        return { allowed: hit !== undefined, rule: hit?.rule ?? 'none' };
      };
      return {
        object: object.plural,
        recordId,
        userId: user.id,
        roleId: user.roleId,
        ownerId,
        deleted: row.deleted === true,
        read: decide('read'),
        write: decide('write'),
        rules,
        unrestricted: subject.unrestricted,
      };
    });
    // Outside the transaction: FieldPolicy reads through its own (cached) one.
    const { unrestricted, ...explanation } = explained;
    const fields = unrestricted
      ? Object.fromEntries(object.fields.map((f) => [f.name, 'edit' as FieldAccess]))
      : (await this.fields.forRole(ctx.tenantId, explanation.roleId)).for(object).entries();
    return { ...explanation, fields };
  }
}

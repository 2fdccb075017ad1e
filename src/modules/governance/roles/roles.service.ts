import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import type { AuditChanges } from '../../../platform/audit/audit.types.js';
import { UsersService } from '../../../platform/auth/users.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { newId, UUID_RE } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { Page } from '../../../platform/records/record.types.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { isKnownPermission, roleGrants } from '../../../platform/security/permissions.js';
import { AdminPageRequest, listAdminPage, pgCode } from '../admin-page.js';
import { CreateRoleInput, RoleDto, UpdateRoleInput } from './role.dto.js';

const COLUMNS = `t.id, t.name, t.description, t.parent_role_id AS "parentRoleId", t.permissions,
  t.builtin_key AS "builtinKey", t.created_at AS "createdAt", t.updated_at AS "updatedAt", t.version`;

/** Serialises hierarchy changes within a tenant, so two concurrent re-parentings cannot form a cycle. */
const HIERARCHY_LOCK = 7_243_103;
/** Deeper than any real org chart; bounds the cycle walk. */
const MAX_DEPTH = 100;

/**
 * Roles: bundles of permissions in a hierarchy. Anyone signed in may read them; writing needs
 * `roles:manage`, and nobody may create, change or delete a role granting a permission they do
 * not hold themselves (privilege escalation: a 403 naming the permissions).
 */
@Injectable()
export class RolesService {
  constructor(
    private readonly db: TenantDb,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  list(ctx: RequestContext, request: AdminPageRequest): Promise<Page> {
    return listAdminPage<RoleDto>(
      this.db,
      ctx,
      { columns: COLUMNS, table: 'roles', alias: 't' },
      request,
      present,
    );
  }

  async get(ctx: RequestContext, id: string): Promise<RoleDto> {
    const role = await this.db.run(ctx, (em) => findRole(em, ctx.tenantId, id));
    if (!role) throw notFound();
    return present(role);
  }

  async create(ctx: RequestContext, input: CreateRoleInput): Promise<RoleDto> {
    assertPermission(ctx, 'roles:manage');
    const permissions = checkPermissions(ctx, input.permissions);
    const role = await this.db.run(ctx, async (em) => {
      const id = newId();
      if (input.parentRoleId) await this.checkParent(em, ctx, id, input.parentRoleId);
      await writeGuard(() =>
        em.query(
          `INSERT INTO roles (tenant_id, id, name, description, parent_role_id, permissions)
           VALUES ($1, $2, $3, $4, $5, $6::text[])`,
          [
            ctx.tenantId,
            id,
            input.name.trim(),
            input.description ?? null,
            input.parentRoleId ?? null,
            permissions,
          ],
        ),
      );
      const created = await findRole(em, ctx.tenantId, id);
      await this.audit.record(em, ctx, {
        action: 'create',
        object: 'role',
        recordId: id,
        changes: roleChanges(null, created),
      });
      return created;
    });
    return present(role!);
  }

  async update(ctx: RequestContext, id: string, patch: UpdateRoleInput): Promise<RoleDto> {
    assertPermission(ctx, 'roles:manage');
    const role = await this.db.run(ctx, async (em) => {
      const current = await findRole(em, ctx.tenantId, id, true);
      if (!current) throw notFound();
      // You may only edit a role you could have created: one granting nothing you lack.
      checkHeld(ctx, roleGrants(current), 'change a role that grants');
      let permissions = current.permissions;
      if (patch.permissions !== undefined) {
        if (current.builtinKey === 'admin')
          throw new DomainError('CONFLICT', 'The built-in admin role always grants every permission.', [
            { field: 'permissions', code: 'builtin', message: 'the admin role’s permissions cannot change' },
          ]);
        if (patch.permissions === null) throw required('permissions');
        permissions = checkPermissions(ctx, patch.permissions);
      }
      if (patch.name === null) throw required('name');
      if (patch.parentRoleId) await this.checkParent(em, ctx, id, patch.parentRoleId);
      await writeGuard(() =>
        em.query(
          `UPDATE roles SET name = $3, description = $4, parent_role_id = $5, permissions = $6::text[],
                  version = version + 1, updated_at = now()
            WHERE tenant_id = $1 AND id = $2`,
          [
            ctx.tenantId,
            id,
            patch.name?.trim() ?? current.name,
            patch.description === undefined ? current.description : patch.description,
            patch.parentRoleId === undefined ? current.parentRoleId : patch.parentRoleId,
            permissions,
          ],
        ),
      );
      const updated = await findRole(em, ctx.tenantId, id);
      await this.audit.record(em, ctx, {
        action: 'update',
        object: 'role',
        recordId: id,
        changes: roleChanges(current, updated),
        details: { version: updated?.version },
      });
      return updated;
    });
    // Every holder's permissions (and the hierarchy) may have changed: no cached principal survives.
    this.users.forgetTenant(ctx.tenantId);
    return present(role!);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    assertPermission(ctx, 'roles:manage');
    await this.db.run(ctx, async (em) => {
      const current = await findRole(em, ctx.tenantId, id, true);
      if (!current) throw notFound();
      if (current.builtinKey)
        throw new DomainError('CONFLICT', `The built-in role ${current.name} cannot be deleted.`);
      checkHeld(ctx, roleGrants(current), 'delete a role that grants');
      const [use] = (await em.query(
        `SELECT (SELECT count(*) FROM users WHERE tenant_id = $1 AND role_id = $2)::int AS users,
                (SELECT count(*) FROM roles WHERE tenant_id = $1 AND parent_role_id = $2)::int AS children`,
        [ctx.tenantId, id],
      )) as { users: number; children: number }[];
      if (use.users > 0)
        throw new DomainError(
          'CONFLICT',
          `The role is held by ${use.users} user${use.users === 1 ? '' : 's'}; give them another role first.`,
        );
      if (use.children > 0)
        throw new DomainError('CONFLICT', 'Other roles sit below this one; re-parent them first.');
      try {
        await em.query('DELETE FROM roles WHERE tenant_id = $1 AND id = $2', [ctx.tenantId, id]);
      } catch (e) {
        // Anything else referring to the role (an OAuth client acting as it) keeps it alive.
        if (pgCode(e) === '23503')
          throw new DomainError('CONFLICT', 'The role is in use (e.g. by an OAuth client).');
        throw e;
      }
      await this.audit.record(em, ctx, {
        action: 'delete',
        object: 'role',
        recordId: id,
        changes: roleChanges(current, null),
      });
    });
    this.users.forgetTenant(ctx.tenantId);
  }

  /** The parent must exist, and the new link must not close a loop (this role above its own parent). */
  private async checkParent(
    em: EntityManager,
    ctx: RequestContext,
    id: string,
    parentId: string,
  ): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [HIERARCHY_LOCK, ctx.tenantId]);
    if (parentId === id) throw cycle();
    const chain = (await em.query(
      `WITH RECURSIVE up (id, parent, depth) AS (
         SELECT id, parent_role_id, 1 FROM roles WHERE tenant_id = $1 AND id = $2
         UNION ALL
         SELECT r.id, r.parent_role_id, up.depth + 1 FROM roles r JOIN up ON r.tenant_id = $1 AND r.id = up.parent
          WHERE up.depth < ${MAX_DEPTH})
       SELECT id FROM up`,
      [ctx.tenantId, parentId],
    )) as { id: string }[];
    if (chain.length === 0)
      throw new DomainError('VALIDATION_FAILED', 'The parent role does not exist.', [
        {
          field: 'parentRoleId',
          code: 'not_found',
          message: 'parentRoleId refers to a role that does not exist',
        },
      ]);
    if (chain.some((r) => r.id === id) || chain.length >= MAX_DEPTH) throw cycle();
  }
}

interface RoleRow extends RoleDto {
  permissions: string[];
}

async function findRole(
  em: EntityManager,
  tenantId: string,
  id: string,
  lock = false,
): Promise<RoleRow | null> {
  if (!UUID_RE.test(id)) return null;
  const rows = (await em.query(
    `SELECT ${COLUMNS} FROM roles t WHERE t.tenant_id = $1 AND t.id = $2${lock ? ' FOR UPDATE' : ''}`,
    [tenantId, id],
  )) as RoleRow[];
  return rows[0] ?? null;
}

const AUDITED = ['name', 'description', 'parentRoleId', 'permissions'] as const;

/** The audited fields that differ between two versions of a role (null: absent). */
function roleChanges(before: RoleRow | null, after: RoleRow | null): AuditChanges {
  const changes: AuditChanges = {};
  for (const field of AUDITED) {
    const b = before ? before[field] : null;
    const a = after ? after[field] : null;
    if (JSON.stringify(b) !== JSON.stringify(a)) changes[field] = { before: b, after: a };
  }
  return changes;
}

/** The API shows what a role grants: for the built-in admin, the whole (current) catalogue. */
function present(row: RoleDto): RoleDto {
  return { ...row, permissions: roleGrants(row) };
}

/** Known permissions only (400 naming the unknown ones), each held by the caller (403 otherwise). */
function checkPermissions(ctx: RequestContext, requested: readonly string[]): string[] {
  const permissions = [...new Set(requested)];
  const unknown = permissions.filter((p) => !isKnownPermission(p));
  if (unknown.length > 0) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `Unknown permission${unknown.length === 1 ? '' : 's'}: ${unknown.map((p) => p.slice(0, 100)).join(', ')}.`,
      unknown.map((p) => ({
        field: 'permissions',
        code: 'unknown_permission',
        message: `'${p.slice(0, 100)}' is not a permission`,
      })),
    );
  }
  checkHeld(ctx, permissions, 'grant');
  return permissions;
}

/** Privilege escalation: refuses when `permissions` includes any the caller does not hold. */
export function checkHeld(ctx: RequestContext, permissions: readonly string[], doing: string): void {
  const lacking = permissions.filter((p) => !ctx.can(p));
  if (lacking.length > 0) {
    throw new DomainError(
      'FORBIDDEN',
      `You cannot ${doing} permissions you do not hold yourself: ${lacking.join(', ')}.`,
      [],
      { reason: 'privilege_escalation' },
    );
  }
}

async function writeGuard(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (pgCode(e) === '23505')
      throw new DomainError('CONFLICT', 'A role with this name already exists.', [
        { field: 'name', code: 'duplicate', message: 'name is already in use' },
      ]);
    throw e;
  }
}

const notFound = () => new DomainError('NOT_FOUND', 'No role with that id.');
const cycle = () =>
  new DomainError('VALIDATION_FAILED', 'The parent role would make the hierarchy a loop.', [
    { field: 'parentRoleId', code: 'cycle', message: 'a role cannot sit below itself' },
  ]);
const required = (field: string) =>
  new DomainError('VALIDATION_FAILED', `${field} cannot be null.`, [
    { field, code: 'required', message: `${field} cannot be null` },
  ]);

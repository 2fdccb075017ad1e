import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { UsersService } from '../../../platform/auth/users.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { UUID_RE } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { Page } from '../../../platform/records/record.types.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { builtinRoleIds } from '../../../platform/security/builtin-roles.js';
import { allPermissions, roleGrants } from '../../../platform/security/permissions.js';
import { AdminPageRequest, listAdminPage } from '../admin-page.js';
import { checkHeld } from '../roles/roles.service.js';
import { CreateUserInput, UpdateUserInput, UserDto } from './user.dto.js';

const COLUMNS = `t.id, t.email, t.display_name AS "displayName", t.is_admin AS "isAdmin", t.role_id AS "roleId",
  t.status, t.last_login_at AS "lastLoginAt", t.created_at AS "createdAt", t.updated_at AS "updatedAt", t.version,
  ARRAY(SELECT m.team_id::text FROM team_members m WHERE m.tenant_id = t.tenant_id AND m.user_id = t.id
        ORDER BY m.team_id) AS "teamIds"`;

/**
 * The users API. Anyone signed in may list the tenant's users (owner pickers need them); every
 * change needs `users:manage`, and touches only users no stronger than the caller: you cannot
 * give a role granting a permission you lack, nor change or deactivate a user who holds one
 * (privilege escalation both ways). Deactivating revokes the user's sessions and their access
 * tokens stop working at once.
 */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly db: TenantDb,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  list(ctx: RequestContext, request: AdminPageRequest): Promise<Page> {
    return listAdminPage<UserDto>(this.db, ctx, { columns: COLUMNS, table: 'users', alias: 't' }, request);
  }

  async get(ctx: RequestContext, id: string): Promise<UserDto> {
    const user = await this.db.run(ctx, (em) => findUser(em, ctx.tenantId, id));
    if (!user) throw notFound();
    return user;
  }

  async create(ctx: RequestContext, input: CreateUserInput): Promise<UserDto> {
    assertPermission(ctx, 'users:manage');
    const roleId = await this.db.run(ctx, async (em) => {
      const id = input.roleId ?? (await builtinRoleIds(em, ctx.tenantId)).get('readOnly') ?? null;
      if (id) checkHeld(ctx, await grantsOfRole(em, ctx.tenantId, id), 'give a role that grants');
      return id;
    });
    const user = await this.users.createUser(ctx, {
      email: input.email,
      displayName: input.displayName,
      password: input.password ?? null,
      roleId,
    });
    await this.db.run(ctx, (em) =>
      // The email is personal data: the event names the user by id and records the role given.
      this.audit.record(em, ctx, {
        action: 'create',
        object: 'user',
        recordId: user.id,
        changes: { roleId: { before: null, after: roleId } },
      }),
    );
    return this.get(ctx, user.id);
  }

  async update(ctx: RequestContext, id: string, patch: UpdateUserInput): Promise<UserDto> {
    assertPermission(ctx, 'users:manage');
    const user = await this.db.run(ctx, async (em) => {
      await this.lockManageable(em, ctx, id);
      const before = await findUser(em, ctx.tenantId, id);
      if (patch.roleId !== undefined) {
        if (patch.roleId === null) throw required('roleId');
        checkHeld(ctx, await grantsOfRole(em, ctx.tenantId, patch.roleId), 'give a role that grants');
      }
      const displayName = patch.displayName?.trim();
      if (displayName === '' || patch.displayName === null) throw required('displayName');
      await em.query(
        `UPDATE users SET display_name = coalesce($3, display_name), role_id = coalesce($4, role_id),
                version = version + 1, updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [ctx.tenantId, id, displayName ?? null, patch.roleId ?? null],
      );
      const after = await findUser(em, ctx.tenantId, id);
      if (before && after && before.roleId !== after.roleId) {
        await this.audit.record(em, ctx, {
          action: 'permission_change',
          object: 'user',
          recordId: id,
          changes: { roleId: { before: before.roleId, after: after.roleId } },
        });
      }
      if (before && after && before.displayName !== after.displayName) {
        await this.audit.record(em, ctx, {
          action: 'update',
          object: 'user',
          recordId: id,
          changes: { displayName: { before: before.displayName, after: after.displayName } },
        });
      }
      return after;
    });
    this.users.forgetPrincipal(ctx.tenantId, id);
    return user!;
  }

  /** Deactivates a user: sessions revoked, every token refused from the next request on. */
  async deactivate(ctx: RequestContext, id: string): Promise<UserDto> {
    assertPermission(ctx, 'users:manage');
    if (id === ctx.principal.userId)
      throw new DomainError('CONFLICT', 'You cannot deactivate yourself; ask another administrator.');
    await this.db.run(ctx, (em) => this.lockManageable(em, ctx, id));
    await this.users.setStatus(ctx, id, 'disabled');
    await this.recordStatus(ctx, id, 'active', 'disabled');
    return this.get(ctx, id);
  }

  /** Lets a deactivated user sign in again; their old sessions stay revoked. */
  async activate(ctx: RequestContext, id: string): Promise<UserDto> {
    assertPermission(ctx, 'users:manage');
    await this.db.run(ctx, (em) => this.lockManageable(em, ctx, id));
    await this.users.setStatus(ctx, id, 'active');
    await this.recordStatus(ctx, id, 'disabled', 'active');
    return this.get(ctx, id);
  }

  private recordStatus(ctx: RequestContext, id: string, before: string, after: string): Promise<string> {
    return this.db.run(ctx, (em) =>
      this.audit.record(em, ctx, {
        action: 'permission_change',
        object: 'user',
        recordId: id,
        changes: { status: { before, after } },
      }),
    );
  }

  /** The user exists, and holds nothing the caller lacks (else 404 / 403). */
  private async lockManageable(em: EntityManager, ctx: RequestContext, id: string): Promise<void> {
    if (!UUID_RE.test(id)) throw notFound();
    const rows = (await em.query(
      `SELECT u.is_admin AS "isAdmin", r.builtin_key AS "builtinKey", r.permissions
         FROM users u LEFT JOIN roles r ON r.tenant_id = u.tenant_id AND r.id = u.role_id
        WHERE u.tenant_id = $1 AND u.id = $2 FOR UPDATE OF u`,
      [ctx.tenantId, id],
    )) as { isAdmin: boolean; builtinKey: string | null; permissions: string[] | null }[];
    const row = rows[0];
    if (!row) throw notFound();
    const grants = row.isAdmin
      ? allPermissions()
      : row.permissions
        ? roleGrants({ builtinKey: row.builtinKey, permissions: row.permissions })
        : [];
    checkHeld(ctx, grants, 'manage a user who holds');
  }
}

async function findUser(em: EntityManager, tenantId: string, id: string): Promise<UserDto | null> {
  if (!UUID_RE.test(id)) return null;
  const rows = (await em.query(`SELECT ${COLUMNS} FROM users t WHERE t.tenant_id = $1 AND t.id = $2`, [
    tenantId,
    id,
  ])) as UserDto[];
  return rows[0] ?? null;
}

async function grantsOfRole(em: EntityManager, tenantId: string, roleId: string): Promise<string[]> {
  const rows = UUID_RE.test(roleId)
    ? ((await em.query(
        `SELECT builtin_key AS "builtinKey", permissions FROM roles WHERE tenant_id = $1 AND id = $2`,
        [tenantId, roleId],
      )) as { builtinKey: string | null; permissions: string[] }[])
    : [];
  if (!rows[0])
    throw new DomainError('VALIDATION_FAILED', 'The role does not exist.', [
      { field: 'roleId', code: 'not_found', message: 'roleId refers to a role that does not exist' },
    ]);
  return roleGrants(rows[0]);
}

const notFound = () => new DomainError('NOT_FOUND', 'No user with that id.');
const required = (field: string) =>
  new DomainError('VALIDATION_FAILED', `${field} cannot be null or empty.`, [
    { field, code: 'required', message: `${field} cannot be null or empty` },
  ]);

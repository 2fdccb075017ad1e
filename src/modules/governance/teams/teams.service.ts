import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { UsersService } from '../../../platform/auth/users.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { newId, UUID_RE } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { Page } from '../../../platform/records/record.types.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { AdminPageRequest, listAdminPage, pgCode } from '../admin-page.js';
import { CreateTeamInput, TeamDto, UpdateTeamInput } from './team.dto.js';

const COLUMNS = `t.id, t.name, t.description, t.created_at AS "createdAt", t.updated_at AS "updatedAt", t.version,
  ARRAY(SELECT m.user_id::text FROM team_members m WHERE m.tenant_id = t.tenant_id AND m.team_id = t.id
        ORDER BY m.user_id) AS "memberIds"`;

/**
 * Teams: groups of users that records can be shared with (record-level security reads a
 * principal's teams on every request). Anyone signed in may read them; changes need
 * `users:manage`. Membership changes reach the members' next request (cached principals are
 * dropped).
 */
@Injectable()
export class TeamsService {
  constructor(
    private readonly db: TenantDb,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  list(ctx: RequestContext, request: AdminPageRequest): Promise<Page> {
    return listAdminPage<TeamDto>(this.db, ctx, { columns: COLUMNS, table: 'teams', alias: 't' }, request);
  }

  async get(ctx: RequestContext, id: string): Promise<TeamDto> {
    const team = await this.db.run(ctx, (em) => findTeam(em, ctx.tenantId, id));
    if (!team) throw notFound();
    return team;
  }

  async create(ctx: RequestContext, input: CreateTeamInput): Promise<TeamDto> {
    assertPermission(ctx, 'users:manage');
    const team = await this.db.run(ctx, async (em) => {
      const id = newId();
      await uniqueName(() =>
        em.query(`INSERT INTO teams (tenant_id, id, name, description) VALUES ($1, $2, $3, $4)`, [
          ctx.tenantId,
          id,
          input.name.trim(),
          input.description ?? null,
        ]),
      );
      await this.audit.record(em, ctx, {
        action: 'create',
        object: 'team',
        recordId: id,
        changes: { name: { before: null, after: input.name.trim() } },
      });
      return findTeam(em, ctx.tenantId, id);
    });
    return team!;
  }

  async update(ctx: RequestContext, id: string, patch: UpdateTeamInput): Promise<TeamDto> {
    assertPermission(ctx, 'users:manage');
    if (patch.name === null)
      throw new DomainError('VALIDATION_FAILED', 'name cannot be null.', [
        { field: 'name', code: 'required', message: 'name cannot be null' },
      ]);
    const team = await this.db.run(ctx, async (em) => {
      const before = await findTeam(em, ctx.tenantId, id);
      if (!before) throw notFound();
      await uniqueName(() =>
        em.query(
          `UPDATE teams SET name = coalesce($3, name),
                  description = CASE WHEN $5 THEN $4 ELSE description END,
                  version = version + 1, updated_at = now()
            WHERE tenant_id = $1 AND id = $2`,
          [
            ctx.tenantId,
            id,
            patch.name?.trim() ?? null,
            patch.description ?? null,
            patch.description !== undefined,
          ],
        ),
      );
      const after = await findTeam(em, ctx.tenantId, id);
      await this.audit.record(em, ctx, {
        action: 'update',
        object: 'team',
        recordId: id,
        changes: {
          name: { before: before.name, after: after?.name ?? null },
          description: { before: before.description, after: after?.description ?? null },
        },
      });
      return after;
    });
    return team!;
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    assertPermission(ctx, 'users:manage');
    await this.db.run(ctx, async (em) => {
      if (!UUID_RE.test(id)) throw notFound();
      // Memberships go with the team (ON DELETE CASCADE).
      const rows = (await em.query(`DELETE FROM teams WHERE tenant_id = $1 AND id = $2 RETURNING id`, [
        ctx.tenantId,
        id,
      ])) as unknown[];
      if (rows.length === 0) throw notFound();
      await this.audit.record(em, ctx, { action: 'delete', object: 'team', recordId: id });
    });
    this.users.forgetTenant(ctx.tenantId);
  }

  /** Adds a member; adding one twice changes nothing. */
  async addMember(ctx: RequestContext, teamId: string, userId: string): Promise<TeamDto> {
    assertPermission(ctx, 'users:manage');
    const team = await this.db.run(ctx, async (em) => {
      if (!(await findTeam(em, ctx.tenantId, teamId))) throw notFound();
      const user = UUID_RE.test(userId)
        ? ((await em.query('SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2', [
            ctx.tenantId,
            userId,
          ])) as unknown[])
        : [];
      if (user.length === 0) throw new DomainError('NOT_FOUND', 'No user with that id.');
      const added = (await em.query(
        `INSERT INTO team_members (tenant_id, team_id, user_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING user_id`,
        [ctx.tenantId, teamId, userId],
      )) as unknown[];
      // Team membership widens record access (team sharing): a permission change of the member.
      if (added.length > 0) await this.recordMembership(em, ctx, teamId, userId, 'addMember');
      return findTeam(em, ctx.tenantId, teamId);
    });
    this.users.forgetPrincipal(ctx.tenantId, userId);
    return team!;
  }

  /** Removes a member; removing a non-member changes nothing. */
  async removeMember(ctx: RequestContext, teamId: string, userId: string): Promise<TeamDto> {
    assertPermission(ctx, 'users:manage');
    const team = await this.db.run(ctx, async (em) => {
      if (!(await findTeam(em, ctx.tenantId, teamId))) throw notFound();
      if (UUID_RE.test(userId)) {
        const removed = (await em.query(
          `DELETE FROM team_members WHERE tenant_id = $1 AND team_id = $2 AND user_id = $3 RETURNING user_id`,
          [ctx.tenantId, teamId, userId],
        )) as unknown[];
        if (removed.length > 0) await this.recordMembership(em, ctx, teamId, userId, 'removeMember');
      }
      return findTeam(em, ctx.tenantId, teamId);
    });
    if (UUID_RE.test(userId)) this.users.forgetPrincipal(ctx.tenantId, userId);
    return team!;
  }

  private recordMembership(
    em: EntityManager,
    ctx: RequestContext,
    teamId: string,
    userId: string,
    operation: 'addMember' | 'removeMember',
  ): Promise<string> {
    return this.audit.record(em, ctx, {
      action: 'permission_change',
      object: 'team',
      recordId: teamId,
      details: { member: userId, operation },
    });
  }
}

async function findTeam(em: EntityManager, tenantId: string, id: string): Promise<TeamDto | null> {
  if (!UUID_RE.test(id)) return null;
  const rows = (await em.query(`SELECT ${COLUMNS} FROM teams t WHERE t.tenant_id = $1 AND t.id = $2`, [
    tenantId,
    id,
  ])) as TeamDto[];
  return rows[0] ?? null;
}

async function uniqueName(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (pgCode(e) === '23505')
      throw new DomainError('CONFLICT', 'A team with this name already exists.', [
        { field: 'name', code: 'duplicate', message: 'name is already in use' },
      ]);
    throw e;
  }
}

const notFound = () => new DomainError('NOT_FOUND', 'No team with that id.');

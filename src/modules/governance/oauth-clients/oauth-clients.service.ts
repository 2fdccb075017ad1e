import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import {
  formatClientId,
  formatClientSecret,
  hashSecret,
  newSecret,
} from '../../../platform/auth/credentials.js';
import { AppConfig } from '../../../platform/config/config.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { newId, UUID_RE } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { Page } from '../../../platform/records/record.types.js';
import { loadRoleGrants } from '../../../platform/security/role-grants.js';
import { AdminPageRequest, keyset, keysetSql, toAdminPage } from '../admin-page.js';
import { assertCallerHolds, requireUser, validScopes } from '../credential-scopes.js';
import {
  CreateOAuthClientInput,
  DEFAULT_PREVIOUS_SECRET_TTL_SECONDS,
  OAuthClientDto,
  OAuthClientWithSecretDto,
  RotateSecretInput,
  UpdateOAuthClientInput,
} from './oauth-client.dto.js';

export const OAUTH_CLIENTS_MANAGE = 'oauth-clients:manage';

/** RFC 9700 keeps access tokens short; a client's are at most an hour. */
const MAX_TOKEN_LIFETIME_SECONDS = 3600;

interface ClientRow {
  tenantId: string;
  id: string;
  name: string;
  roleId: string;
  allowedScopes: string[];
  tokenLifetimeSeconds: number;
  secretRotatedAt: Date | null;
  previousSecretExpiresAt: Date | null;
  createdBy: string;
  revokedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const COLUMNS = `c.tenant_id AS "tenantId", c.id, c.name, c.role_id AS "roleId", c.allowed_scopes AS "allowedScopes",
  c.token_lifetime_seconds AS "tokenLifetimeSeconds", c.secret_rotated_at AS "secretRotatedAt",
  CASE WHEN c.previous_secret_expires_at > now() THEN c.previous_secret_expires_at END AS "previousSecretExpiresAt",
  c.created_by AS "createdBy", c.revoked_at AS "revokedAt", c.created_at AS "createdAt",
  c.updated_at AS "updatedAt", c.version`;

/**
 * OAuth clients for partners (`/v1/oauth-clients`, GraphQL `oauthClients`…), all behind
 * `oauth-clients:manage`. A client acts as a role; its allowed scopes can only be permissions the
 * managing user holds. Its secret is shown once, at creation or rotation, and stored as SHA-256.
 * The token endpoint side (client authentication, the grant, token verification) is
 * platform/auth's ClientCredentialsGrant and ClientPrincipalResolver.
 */
@Injectable()
export class OAuthClientsService {
  constructor(
    private readonly db: TenantDb,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async create(ctx: RequestContext, input: CreateOAuthClientInput): Promise<OAuthClientWithSecretDto> {
    const creator = requireUser(ctx, 'OAuth clients');
    const allowedScopes = validScopes(input.allowedScopes, 'allowedScopes');
    assertCallerHolds(ctx, allowedScopes, 'allowedScopes');
    const lifetime =
      input.tokenLifetimeSeconds ??
      Math.min(this.config.ACCESS_TOKEN_TTL_SECONDS, MAX_TOKEN_LIFETIME_SECONDS);
    const id = newId();
    const secret = newSecret();
    const row = await this.db.run(ctx, async (em) => {
      await assertRole(em, ctx.tenantId, input.roleId);
      const rows: ClientRow[] = await em.query(
        `INSERT INTO oauth_clients AS c (tenant_id, id, name, role_id, allowed_scopes, token_lifetime_seconds,
           secret_hash, created_by)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8) RETURNING ${COLUMNS}`,
        [
          ctx.tenantId,
          id,
          input.name.trim(),
          input.roleId,
          allowedScopes,
          lifetime,
          hashSecret(secret),
          creator,
        ],
      );
      await this.audit.record(em, ctx, {
        action: 'create',
        object: 'oauthClient',
        recordId: id,
        details: { roleId: input.roleId, allowedScopes, tokenLifetimeSeconds: lifetime },
      });
      return rows[0];
    });
    return { ...present(row), clientSecret: formatClientSecret(secret) };
  }

  async list(ctx: RequestContext, request: AdminPageRequest): Promise<Page> {
    const page = keyset(request);
    const rows = await this.db.run(ctx, (em) => {
      const params = new SqlParams();
      return em.query(
        `SELECT ${COLUMNS} FROM oauth_clients c WHERE true${keysetSql(page, params, 'c')}`,
        params.values,
      ) as Promise<ClientRow[]>;
    });
    return toAdminPage(rows.map(present), page);
  }

  async get(ctx: RequestContext, id: string): Promise<OAuthClientDto> {
    const row = await this.db.run(ctx, (em) => find(em, ctx.tenantId, id));
    if (!row) throw notFound();
    return present(row);
  }

  /** Merge patch of name, role, allowed scopes and token lifetime; tokens already issued follow at once. */
  async update(ctx: RequestContext, id: string, patch: UpdateOAuthClientInput): Promise<OAuthClientDto> {
    requireUser(ctx, 'OAuth clients');
    const allowedScopes =
      patch.allowedScopes === undefined || patch.allowedScopes === null
        ? undefined
        : validScopes(patch.allowedScopes, 'allowedScopes');
    if (allowedScopes) assertCallerHolds(ctx, allowedScopes, 'allowedScopes');
    const row = await this.db.run(ctx, async (em) => {
      const current = await find(em, ctx.tenantId, id, true);
      if (!current) return null;
      if (current.revokedAt) throw revokedConflict();
      if (patch.roleId) await assertRole(em, ctx.tenantId, patch.roleId);
      const next = {
        name: patch.name?.trim() ?? current.name,
        roleId: patch.roleId ?? current.roleId,
        allowedScopes: allowedScopes ?? current.allowedScopes,
        tokenLifetimeSeconds: patch.tokenLifetimeSeconds ?? current.tokenLifetimeSeconds,
      };
      await em.query(
        `UPDATE oauth_clients SET name = $3, role_id = $4, allowed_scopes = $5::text[], token_lifetime_seconds = $6,
           updated_at = now(), version = version + 1
         WHERE tenant_id = $1 AND id = $2`,
        [ctx.tenantId, id, next.name, next.roleId, next.allowedScopes, next.tokenLifetimeSeconds],
      );
      await this.audit.record(em, ctx, {
        action: 'update',
        object: 'oauthClient',
        recordId: id,
        changes: changesOf(current, next),
      });
      return find(em, ctx.tenantId, id);
    });
    if (!row) throw notFound();
    return present(row);
  }

  /**
   * A new secret; the current one keeps working for `previousSecretTtlSeconds` (default 24 h), so
   * the application can switch without downtime. Only one previous secret is kept: rotating again
   * within the window ends the older one.
   */
  async rotateSecret(
    ctx: RequestContext,
    id: string,
    input: RotateSecretInput,
  ): Promise<OAuthClientWithSecretDto> {
    requireUser(ctx, 'OAuth clients');
    const overlap = input.previousSecretTtlSeconds ?? DEFAULT_PREVIOUS_SECRET_TTL_SECONDS;
    const secret = newSecret();
    const row = await this.db.run(ctx, async (em) => {
      const current = await find(em, ctx.tenantId, id, true);
      if (!current) return null;
      if (current.revokedAt) throw revokedConflict();
      await em.query(
        `UPDATE oauth_clients SET
           previous_secret_hash = CASE WHEN $4::int > 0 THEN secret_hash END,
           previous_secret_expires_at = CASE WHEN $4::int > 0 THEN now() + make_interval(secs => $4::int) END,
           secret_hash = $3, secret_rotated_at = now(), updated_at = now(), version = version + 1
         WHERE tenant_id = $1 AND id = $2`,
        [ctx.tenantId, id, hashSecret(secret), overlap],
      );
      await this.audit.record(em, ctx, {
        action: 'rotate_secret',
        object: 'oauthClient',
        recordId: id,
        details: { previousSecretTtlSeconds: overlap },
      });
      return find(em, ctx.tenantId, id);
    });
    if (!row) throw notFound();
    return { ...present(row), clientSecret: formatClientSecret(secret) };
  }

  /** Refuses new tokens and, checked on every request, ends the ones already issued. Idempotent. */
  async revoke(ctx: RequestContext, id: string): Promise<OAuthClientDto> {
    requireUser(ctx, 'OAuth clients');
    const row = await this.db.run(ctx, async (em) => {
      const current = await find(em, ctx.tenantId, id, true);
      if (!current || current.revokedAt) return current;
      await em.query(
        `UPDATE oauth_clients SET revoked_at = now(), updated_at = now(), version = version + 1
         WHERE tenant_id = $1 AND id = $2`,
        [ctx.tenantId, id],
      );
      await this.audit.record(em, ctx, { action: 'revoke', object: 'oauthClient', recordId: id });
      return find(em, ctx.tenantId, id);
    });
    if (!row) throw notFound();
    return present(row);
  }
}

async function find(
  em: EntityManager,
  tenantId: string,
  id: string,
  lock = false,
): Promise<ClientRow | null> {
  if (!UUID_RE.test(id)) return null;
  const rows: ClientRow[] = await em.query(
    `SELECT ${COLUMNS} FROM oauth_clients c WHERE c.tenant_id = $1 AND c.id = $2${lock ? ' FOR UPDATE' : ''}`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

async function assertRole(em: EntityManager, tenantId: string, roleId: string): Promise<void> {
  if (await loadRoleGrants(em, tenantId, roleId)) return;
  throw new DomainError('VALIDATION_FAILED', 'The role does not exist.', [
    { field: 'roleId', code: 'not_found', message: 'roleId refers to a role that does not exist' },
  ]);
}

function present(row: ClientRow): OAuthClientDto {
  return {
    id: row.id,
    clientId: formatClientId(row.tenantId, row.id),
    name: row.name,
    roleId: row.roleId,
    allowedScopes: row.allowedScopes,
    tokenLifetimeSeconds: row.tokenLifetimeSeconds,
    status: row.revokedAt ? 'revoked' : 'active',
    secretRotatedAt: row.secretRotatedAt,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
    createdBy: row.createdBy,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}

function changesOf(
  before: ClientRow,
  after: Pick<ClientRow, 'name' | 'roleId' | 'allowedScopes' | 'tokenLifetimeSeconds'>,
): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of ['name', 'roleId', 'allowedScopes', 'tokenLifetimeSeconds'] as const) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      changes[key] = { before: before[key], after: after[key] };
  }
  return changes;
}

function revokedConflict(): DomainError {
  return new DomainError('CONFLICT', 'The client is revoked; create a new one.');
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'No OAuth client with that id.');
}

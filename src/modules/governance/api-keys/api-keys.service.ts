import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { apiKeyPrefix, formatApiKey, hashSecret, newSecret } from '../../../platform/auth/credentials.js';
import { UsersService } from '../../../platform/auth/users.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { newId, UUID_RE } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { Page } from '../../../platform/records/record.types.js';
import { missingPermissions } from '../../../platform/security/permissions.js';
import { AdminPageRequest, keyset, keysetSql, toAdminPage } from '../admin-page.js';
import { assertCallerHolds, requireUser, validScopes } from '../credential-scopes.js';
import { ApiKeyDto, ApiKeyStatus, CreateApiKeyInput, CreatedApiKeyDto } from './api-key.dto.js';

export const API_KEYS_MANAGE = 'api-keys:manage';

interface ApiKeyRow {
  tenantId: string;
  id: string;
  name: string;
  userId: string;
  createdBy: string;
  scopes: string[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  expired: boolean;
}

const COLUMNS = `k.tenant_id AS "tenantId", k.id, k.name, k.user_id AS "userId", k.created_by AS "createdBy",
  k.scopes, k.expires_at AS "expiresAt", k.last_used_at AS "lastUsedAt", k.revoked_at AS "revokedAt",
  k.created_at AS "createdAt", coalesce(k.expires_at <= now(), false) AS expired`;

/**
 * API keys for scripts (`/v1/api-keys`, GraphQL `apiKeys`…). Users manage their own keys; holders
 * of `api-keys:manage` see and manage every key of the tenant and may make keys for others. The
 * key is returned once, at creation; only its SHA-256 is stored. Authentication with a key is
 * ApiKeyAuthenticator's (platform/auth).
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: TenantDb,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async create(ctx: RequestContext, input: CreateApiKeyInput): Promise<CreatedApiKeyDto> {
    const creator = requireUser(ctx, 'API keys');
    const ownerId = input.userId ?? creator;
    if (ownerId !== creator && !ctx.can(API_KEYS_MANAGE)) {
      throw new DomainError('FORBIDDEN', `Making a key for another user needs ${API_KEYS_MANAGE}.`, [], {
        reason: 'missing_permission',
      });
    }
    const scopes = validScopes(input.scopes, 'scopes');
    assertCallerHolds(ctx, scopes, 'scopes');
    if (ownerId !== creator) await this.assertOwnerHolds(ctx, ownerId, scopes);
    const expiresAt = futureDate(input.expiresAt);
    const id = newId();
    const secret = newSecret();
    const row = await this.db.run(ctx, async (em) => {
      const rows: ApiKeyRow[] = await em.query(
        `INSERT INTO api_keys AS k (tenant_id, id, user_id, created_by, name, scopes, secret_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8) RETURNING ${COLUMNS}`,
        [ctx.tenantId, id, ownerId, creator, input.name.trim(), scopes, hashSecret(secret), expiresAt],
      );
      await this.audit.record(em, ctx, {
        action: 'create',
        object: 'apiKey',
        recordId: id,
        details: { userId: ownerId, scopes, expiresAt: expiresAt?.toISOString() ?? null },
      });
      return rows[0];
    });
    return { ...present(row), key: formatApiKey(ctx.tenantId, id, secret) };
  }

  /** Newest first; your own keys, or (with api-keys:manage) anyone's, optionally one user's. */
  async list(ctx: RequestContext, request: AdminPageRequest & { userId?: string }): Promise<Page> {
    const self = requireUser(ctx, 'API keys');
    const manage = ctx.can(API_KEYS_MANAGE);
    if (request.userId && request.userId !== self && !manage) {
      throw new DomainError('FORBIDDEN', `Listing another user's keys needs ${API_KEYS_MANAGE}.`, [], {
        reason: 'missing_permission',
      });
    }
    const owner = request.userId ?? (manage ? null : self);
    const page = keyset(request);
    const rows = await this.db.run(ctx, (em) => {
      const params = new SqlParams();
      const where = owner ? `k.user_id = ${params.add(owner)}::uuid` : 'true';
      return em.query(
        `SELECT ${COLUMNS} FROM api_keys k WHERE ${where}${keysetSql(page, params, 'k')}`,
        params.values,
      ) as Promise<ApiKeyRow[]>;
    });
    return toAdminPage(rows.map(present), page);
  }

  async get(ctx: RequestContext, id: string): Promise<ApiKeyDto> {
    requireUser(ctx, 'API keys');
    const row = await this.db.run(ctx, (em) => this.find(em, ctx, id));
    if (!row) throw notFound();
    return present(row);
  }

  /** Stops the key at once (the next request with it is a 401). Revoking a revoked key changes nothing. */
  async revoke(ctx: RequestContext, id: string): Promise<ApiKeyDto> {
    requireUser(ctx, 'API keys');
    const row = await this.db.run(ctx, async (em) => {
      const found = await this.find(em, ctx, id, true);
      if (!found) return null;
      if (found.revokedAt) return found;
      await em.query('UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND id = $2', [
        ctx.tenantId,
        id,
      ]);
      await this.audit.record(em, ctx, { action: 'revoke', object: 'apiKey', recordId: id });
      return this.find(em, ctx, id);
    });
    if (!row) throw notFound();
    return present(row);
  }

  /** A key the caller may see: their own, or any with api-keys:manage (others are a 404, not a 403). */
  private async find(
    em: EntityManager,
    ctx: RequestContext,
    id: string,
    lock = false,
  ): Promise<ApiKeyRow | null> {
    if (!UUID_RE.test(id)) return null;
    const params = [ctx.tenantId, id];
    const mine = ctx.can(API_KEYS_MANAGE) ? '' : ` AND k.user_id = $3`;
    if (mine) params.push(ctx.principal.userId ?? '');
    const rows: ApiKeyRow[] = await em.query(
      `SELECT ${COLUMNS} FROM api_keys k WHERE k.tenant_id = $1 AND k.id = $2${mine}${lock ? ' FOR UPDATE' : ''}`,
      params,
    );
    return rows[0] ?? null;
  }

  /** A key made for someone else must not exceed that user either: it would only be narrowed silently at use. */
  private async assertOwnerHolds(ctx: RequestContext, ownerId: string, scopes: string[]): Promise<void> {
    const owner = await this.users.activePrincipal(ctx.tenantId, ownerId);
    if (!owner) {
      throw new DomainError('VALIDATION_FAILED', 'The user does not exist or is disabled.', [
        { field: 'userId', code: 'not_found', message: 'userId refers to no active user' },
      ]);
    }
    const lacking = missingPermissions(owner.permissions, scopes);
    if (lacking.length > 0) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `The key's owner does not hold: ${lacking.join(', ')}.`,
        lacking.map((s) => ({
          field: 'scopes',
          code: 'not_held_by_owner',
          message: `the owner does not hold '${s}'`,
        })),
      );
    }
  }
}

function present(row: ApiKeyRow): ApiKeyDto {
  const status: ApiKeyStatus = row.revokedAt ? 'revoked' : row.expired ? 'expired' : 'active';
  return {
    id: row.id,
    name: row.name,
    prefix: apiKeyPrefix(row.tenantId, row.id),
    userId: row.userId,
    createdBy: row.createdBy,
    scopes: row.scopes,
    status,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
  };
}

function futureDate(value: string | null | undefined): Date | null {
  if (value === undefined || value === null) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) {
    throw new DomainError('VALIDATION_FAILED', 'expiresAt must be in the future.', [
      { field: 'expiresAt', code: 'past', message: 'expiresAt must be in the future' },
    ]);
  }
  return date;
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'No API key with that id.');
}

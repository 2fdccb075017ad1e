import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../context/request-context.js';
import { TenantDb } from '../../database/tenant-db.js';
import { narrowByScopes } from '../../security/permissions.js';
import { API_KEY_PREFIX, hashSecret, parseApiKey, sameHash } from '../credentials.js';
import { UsersService } from '../users.service.js';

/** Why a presented API key was refused; the guard turns it into a 401 challenge. */
export class ApiKeyRejected extends Error {
  override readonly name = 'ApiKeyRejected';
  constructor(readonly reason: 'invalid' | 'expired') {
    super(`API key ${reason}`);
  }
}

interface KeyRow {
  userId: string;
  secretHash: string;
  scopes: string[];
  revoked: boolean;
  expired: boolean;
  stale: boolean;
}

/** `last_used_at` is written at most this often per key: a script calling in a loop must not turn every read into a write. */
const LAST_USED_RESOLUTION = '1 minute';

/**
 * Authenticates `Authorization: Bearer rpk_…` (API keys; the AuthGuard routes keys here by their
 * prefix, JWTs to passport). Nothing about a key is cached: a revoked key is refused on the very
 * next request, on every replica. The key acts as its owner with the owner's *current*
 * permissions narrowed to its scopes, so demoting or disabling the owner demotes or stops the key
 * (within the few seconds UsersService caches a principal).
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    private readonly db: TenantDb,
    private readonly users: UsersService,
  ) {}

  static isApiKey(token: string): boolean {
    return token.startsWith(API_KEY_PREFIX);
  }

  async authenticate(token: string, requestId: string): Promise<RequestContext> {
    const parsed = parseApiKey(token);
    if (!parsed) throw new ApiKeyRejected('invalid');
    const { tenantId, id } = parsed;
    const presented = hashSecret(parsed.secret);
    const row = await this.db.runAsTenant(tenantId, async (em) => {
      const rows: KeyRow[] = await em.query(
        `SELECT user_id AS "userId", secret_hash AS "secretHash", scopes,
                revoked_at IS NOT NULL AS revoked,
                coalesce(expires_at <= now(), false) AS expired,
                coalesce(last_used_at < now() - $3::interval, true) AS stale
           FROM api_keys WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id, LAST_USED_RESOLUTION],
      );
      const key = rows[0];
      if (!key || !sameHash(key.secretHash, presented)) return null;
      if (key.stale && !key.revoked && !key.expired) {
        // Conditional, so that concurrent requests write it once; a no-match UPDATE writes nothing.
        await em.query(
          `UPDATE api_keys SET last_used_at = now()
            WHERE tenant_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < now() - $3::interval)`,
          [tenantId, id, LAST_USED_RESOLUTION],
        );
      }
      return key;
    });
    // Unknown, wrong secret and revoked read alike; only the holder of the secret learns "expired".
    if (!row || row.revoked) throw new ApiKeyRejected('invalid');
    if (row.expired) throw new ApiKeyRejected('expired');
    const owner = await this.users.activePrincipal(tenantId, row.userId);
    if (!owner) throw new ApiKeyRejected('invalid');
    return new RequestContext(
      tenantId,
      {
        type: 'apiKey',
        id,
        userId: owner.userId,
        // The key sees the records its owner sees (record-level security); what it may *do* is
        // the permission set below, never more than its scopes.
        isAdmin: owner.isAdmin,
        ...(owner.roleId ? { roleId: owner.roleId } : {}),
        teamIds: owner.teamIds,
      },
      'rest',
      requestId,
      row.scopes,
      narrowByScopes(owner.permissions, row.scopes),
      owner.permissions,
    );
  }
}

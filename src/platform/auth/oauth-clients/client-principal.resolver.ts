import { Injectable } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import { RequestContext } from '../../context/request-context.js';
import { TenantDb } from '../../database/tenant-db.js';
import { loadRoleGrants } from '../../security/role-grants.js';
import { parseClientId } from '../credentials.js';

interface ClientRow {
  id: string;
  roleId: string;
  allowedScopes: string[];
  revoked: boolean;
}

/**
 * Turns a verified client access token (`ptyp: 'client'`, from the client_credentials grant) into
 * a RequestContext. Called by JwtStrategy.validate() after the signature, issuer, audience and
 * expiry checks. The client is read on every request, uncached: revoking a client ends its
 * unexpired tokens at once, on every replica. Permissions are recomputed too, as the token's
 * scopes ∩ the client's allowed scopes ∩ its role's *current* grants, so narrowing either one
 * narrows tokens already issued.
 */
@Injectable()
export class ClientPrincipalResolver {
  constructor(private readonly db: TenantDb) {}

  /** The caller behind the token, or null when it must be refused (401). */
  async resolve(payload: JWTPayload, requestId: string): Promise<RequestContext | null> {
    const { sub, tid, scope, client_id: clientId } = payload;
    if (typeof sub !== 'string' || clientId !== sub || typeof scope !== 'string') return null;
    const parsed = parseClientId(sub);
    if (!parsed || parsed.tenantId !== tid) return null;
    const { tenantId, id } = parsed;
    const found = await this.db.runAsTenant(tenantId, async (em) => {
      const rows: ClientRow[] = await em.query(
        `SELECT id, role_id AS "roleId", allowed_scopes AS "allowedScopes", revoked_at IS NOT NULL AS revoked
           FROM oauth_clients WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      );
      const client = rows[0];
      if (!client || client.revoked) return null;
      const grants = await loadRoleGrants(em, tenantId, client.roleId);
      return grants ? { client, grants } : null;
    });
    if (!found) return null;
    const { client, grants } = found;
    const allowed = new Set(client.allowedScopes);
    // What the client could obtain at all; a refusal of anything in here is `insufficient_scope`.
    const held = new Set([...grants].filter((p) => allowed.has(p)));
    const scopes = scope.split(' ').filter((s) => s.length > 0);
    return new RequestContext(
      tenantId,
      { type: 'oauthClient', id: client.id, clientId: sub, isAdmin: false, roleId: client.roleId },
      'rest',
      requestId,
      scopes,
      new Set(scopes.filter((s) => held.has(s))),
      held,
    );
  }
}

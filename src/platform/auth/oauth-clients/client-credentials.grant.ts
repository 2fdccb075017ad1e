import { Injectable } from '@nestjs/common';
import { TenantDb } from '../../database/tenant-db.js';
import { DomainError } from '../../http/domain-error.js';
import { loadRoleGrants } from '../../security/role-grants.js';
import { clientSecretOf, hashSecret, parseClientId, sameHash } from '../credentials.js';
import { AccessToken, TokenService } from '../token.service.js';

/** Client credentials as presented at the token endpoint (Basic header or form fields). */
export interface PresentedClient {
  clientId: string;
  clientSecret: string;
}

/** A client whose secret checked out. */
export interface AuthenticatedClient {
  tenantId: string;
  id: string;
  clientId: string;
  roleId: string;
  allowedScopes: string[];
  tokenLifetimeSeconds: number;
}

interface ClientRow {
  roleId: string;
  allowedScopes: string[];
  tokenLifetimeSeconds: number;
  secretHash: string;
  /** the previous secret's hash while its overlap window is open, else null */
  previousSecretHash: string | null;
  revoked: boolean;
}

/**
 * The client_credentials grant (RFC 6749 §4.4): authenticates a confidential client and issues it
 * an access token for the scopes it asks for, within what it is allowed and its role grants.
 */
@Injectable()
export class ClientCredentialsGrant {
  constructor(
    private readonly db: TenantDb,
    private readonly tokens: TokenService,
  ) {}

  /**
   * Checks the client's secret: the current one, or the one before the last rotation while its
   * overlap window lasts. Unknown, revoked and wrong secret all answer `invalid_client` alike.
   */
  async authenticate(presented: PresentedClient): Promise<AuthenticatedClient> {
    const parsed = parseClientId(presented.clientId);
    const secret = clientSecretOf(presented.clientSecret);
    if (!parsed || !secret) throw invalidClient();
    const { tenantId, id } = parsed;
    const rows: ClientRow[] = await this.db.runAsTenant(tenantId, (em) =>
      em.query(
        `SELECT role_id AS "roleId", allowed_scopes AS "allowedScopes",
                token_lifetime_seconds AS "tokenLifetimeSeconds", secret_hash AS "secretHash",
                CASE WHEN previous_secret_expires_at > now() THEN previous_secret_hash END AS "previousSecretHash",
                revoked_at IS NOT NULL AS revoked
           FROM oauth_clients WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      ),
    );
    const row = rows[0];
    const hash = hashSecret(secret);
    // Both comparisons always run, so the timing does not tell which secret matched.
    const current = row ? sameHash(row.secretHash, hash) : false;
    const previous = row?.previousSecretHash ? sameHash(row.previousSecretHash, hash) : false;
    if (!row || row.revoked || !(current || previous)) throw invalidClient();
    return {
      tenantId,
      id,
      clientId: presented.clientId,
      roleId: row.roleId,
      allowedScopes: row.allowedScopes,
      tokenLifetimeSeconds: row.tokenLifetimeSeconds,
    };
  }

  /**
   * Issues the token. `requested` null (no scope parameter) means all the client's allowed scopes
   * (RFC 6749 §3.3 lets the server pick a default). A scope outside the allowed set is
   * `invalid_scope`; the granted scope is then narrowed to what the role grants now, and named in
   * the response (§5.1) — the token's permissions are recomputed on every request anyway.
   */
  async issue(client: AuthenticatedClient, requested: string[] | null): Promise<AccessToken> {
    const allowed = new Set(client.allowedScopes);
    const wanted = requested ?? client.allowedScopes;
    const beyond = wanted.filter((s) => !allowed.has(s));
    if (beyond.length > 0) {
      throw new DomainError(
        'INVALID_SCOPE',
        `The client is not allowed the scope ${beyond.join(' ').slice(0, 300)}.`,
      );
    }
    const grants = await this.db.runAsTenant(client.tenantId, (em) =>
      loadRoleGrants(em, client.tenantId, client.roleId),
    );
    const granted = wanted.filter((s) => grants?.has(s));
    if (granted.length === 0) {
      throw new DomainError(
        'INVALID_SCOPE',
        "The client's role grants none of the requested scopes, so no token can be issued.",
      );
    }
    return this.tokens.issueClientToken(
      client.tenantId,
      client.clientId,
      granted.join(' '),
      client.tokenLifetimeSeconds,
    );
  }
}

function invalidClient(): DomainError {
  return new DomainError('INVALID_CLIENT', 'Client authentication failed.');
}

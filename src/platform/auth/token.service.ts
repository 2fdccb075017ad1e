import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/config.js';
import { newId, UUID_RE } from '../database/ids.js';
import { TenantDb } from '../database/tenant-db.js';
import { DomainError } from '../http/domain-error.js';
import { hashSecret, newSecret, sameHash } from './credentials.js';
import { KeysService } from './keys.service.js';
import { RefreshToken } from './refresh-token.entity.js';
import { User } from './user.entity.js';

/** JWT `typ` of access tokens (RFC 9068), so an ID token or other JWT is never accepted as one. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Claims Rapport puts in every access token besides the registered ones. */
export interface AccessTokenClaims {
  /** tenant id */
  tid: string;
  /** space-separated scopes; empty = the principal's own permissions, unnarrowed */
  scope: string;
  /** principal type: a user (password/refresh grants) or an OAuth client (client_credentials) */
  ptyp: 'user' | 'client';
  /** RFC 9068 §2.2: the client the token was issued to; set on client tokens, where it equals `sub` */
  client_id?: string;
}

/** An access token without a refresh token (client_credentials, RFC 6749 §4.4.3). */
export interface AccessToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

export interface TokenSet {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  scope: string;
}

/**
 * `rt_<tenantId>.<tokenId>.<secret>`: the tenant is readable so the transaction can be pinned to it
 * before the lookup (RLS hides every row otherwise); only the secret is confidential.
 */
const REFRESH_TOKEN_RE = /^rt_([0-9a-f-]{36})\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

type RotationOutcome = { ok: true; next: TokenSet } | { ok: false; reason: string };

@Injectable()
export class TokenService {
  private readonly logger = new Logger('auth.tokens');

  constructor(
    private readonly db: TenantDb,
    private readonly keys: KeysService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Issues an access token and the first refresh token of a new family. `alsoInTransaction` runs
   * in the same tenant transaction, so e.g. last_login_at and the refresh token commit together.
   */
  async issue(
    tenantId: string,
    userId: string,
    scope: string,
    alsoInTransaction?: (em: EntityManager) => Promise<void>,
  ): Promise<TokenSet> {
    const refreshToken = await this.db.runAsTenant(tenantId, async (em) => {
      if (alsoInTransaction) await alsoInTransaction(em);
      return this.insertRefreshToken(em, tenantId, userId, newId(), scope);
    });
    return this.withAccessToken(tenantId, userId, scope, refreshToken);
  }

  /**
   * Exchanges a refresh token for a new pair (rotation, RFC 9700 §2.2.2). A token that was
   * already used means it leaked or a client misbehaves: the whole family is revoked, so neither
   * the thief nor the client can continue, and the caller gets invalid_grant.
   * `narrowScope` (optional) must be within the family's scope (RFC 6749 §6).
   */
  async rotate(rawToken: string, narrowScope?: (familyScope: string) => string): Promise<TokenSet> {
    const parsed = REFRESH_TOKEN_RE.exec(rawToken);
    if (!parsed || !UUID_RE.test(parsed[1]) || !UUID_RE.test(parsed[2])) throw invalidGrant();
    const [, tenantId, tokenId, secret] = parsed;
    // The outcome is returned, not thrown, so the family revocation commits before we answer.
    const outcome = await this.db.runAsTenant(tenantId, async (em): Promise<RotationOutcome> => {
      const repo = em.getRepository(RefreshToken);
      const row = await repo.findOne({
        where: { tenantId, id: tokenId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row || !sameHash(row.secretHash, hashSecret(secret))) return { ok: false, reason: 'unknown' };
      if (row.revokedAt) return { ok: false, reason: 'revoked' };
      if (row.usedAt) {
        await this.revokeFamily(em, tenantId, row.familyId);
        return { ok: false, reason: 'reused' };
      }
      if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
      const user = await em
        .getRepository(User)
        .findOne({ select: { id: true, status: true }, where: { tenantId, id: row.userId } });
      if (!user || user.status !== 'active') {
        await this.revokeFamily(em, tenantId, row.familyId);
        return { ok: false, reason: 'user inactive' };
      }
      // Scope errors are thrown before anything is written, so the presented token stays usable.
      const accessScope = narrowScope ? narrowScope(row.scope) : row.scope;
      await repo.update({ tenantId, id: row.id }, { usedAt: () => 'now()' });
      // The family keeps its original scope; narrowing applies to this access token only.
      const refreshToken = await this.insertRefreshToken(em, tenantId, row.userId, row.familyId, row.scope);
      return { ok: true, next: await this.withAccessToken(tenantId, row.userId, accessScope, refreshToken) };
    });
    if (!outcome.ok) {
      // Reuse is the one cause operators must hear about: a refresh token leaked or a client is broken.
      if (outcome.reason === 'reused') {
        this.logger.warn(`refresh token reuse in tenant ${tenantId}: token family revoked`);
      }
      throw invalidGrant();
    }
    return outcome.next;
  }

  /**
   * An access token for an OAuth client (client_credentials): `sub` and `client_id` are its public
   * client_id, `scope` what was granted. No refresh token: the client can always ask again.
   */
  async issueClientToken(
    tenantId: string,
    clientId: string,
    scope: string,
    expiresIn: number,
  ): Promise<AccessToken> {
    const claims: AccessTokenClaims = { tid: tenantId, scope, ptyp: 'client', client_id: clientId };
    return { accessToken: await this.signAccessToken(claims, clientId, expiresIn), expiresIn, scope };
  }

  private async withAccessToken(
    tenantId: string,
    userId: string,
    scope: string,
    refreshToken: string,
  ): Promise<TokenSet> {
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const claims: AccessTokenClaims = { tid: tenantId, scope, ptyp: 'user' };
    const accessToken = await this.signAccessToken(claims, userId, expiresIn);
    return { accessToken, expiresIn, refreshToken, scope };
  }

  private signAccessToken(claims: AccessTokenClaims, sub: string, expiresIn: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return this.keys.sign(
      {
        ...claims,
        iss: this.config.JWT_ISSUER,
        aud: this.config.JWT_AUDIENCE,
        sub,
        iat: now,
        exp: now + expiresIn,
        jti: newId(),
      },
      ACCESS_TOKEN_TYP,
    );
  }

  private async insertRefreshToken(
    em: EntityManager,
    tenantId: string,
    userId: string,
    familyId: string,
    scope: string,
  ): Promise<string> {
    const id = newId();
    const secret = newSecret();
    await em.getRepository(RefreshToken).insert({
      tenantId,
      id,
      userId,
      familyId,
      scope,
      secretHash: hashSecret(secret),
      expiresAt: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
    });
    return `rt_${tenantId}.${id}.${secret}`;
  }

  private async revokeFamily(em: EntityManager, tenantId: string, familyId: string): Promise<void> {
    await em.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE tenant_id = $1 AND family_id = $2 AND revoked_at IS NULL`,
      [tenantId, familyId],
    );
  }
}

function invalidGrant(): DomainError {
  // One message for every cause: the client can do nothing different, and causes must not leak.
  return new DomainError('INVALID_GRANT', 'The refresh token is invalid, expired or revoked.');
}

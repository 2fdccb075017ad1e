import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { errors, JWTPayload } from 'jose';
import { AppConfig } from '../config/config.js';
import { RequestContext } from '../context/request-context.js';
import { UUID_RE } from '../database/ids.js';
import { bearerToken, BearerRequest, JoseJwtStrategy } from './jose-jwt.strategy.js';
import { KeysService, SIGNING_ALG } from './keys.service.js';
import { ACCESS_TOKEN_TYP } from './token.service.js';
import { UsersService } from './users.service.js';

/** Small allowance for clock drift between the replica that signed a token and the one checking it. */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Verifies Rapport access tokens (signature by `kid`, EdDSA only, issuer, audience, `typ`, expiry)
 * and turns them into a RequestContext. Its channel is 'rest'; the guard switches it for GraphQL.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(JoseJwtStrategy, 'jwt') {
  constructor(
    keys: KeysService,
    config: AppConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: bearerToken,
      keyProvider: async (header: { kid?: string }) => {
        const key = await keys.verificationKey(header.kid);
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      verifyOptions: {
        algorithms: [SIGNING_ALG],
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ['sub', 'tid', 'iat', 'exp', 'jti'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      },
    });
  }

  /** Resolves the token's user now, so a disabled or deleted user's unexpired tokens stop working. */
  async validate(request: BearerRequest, payload: JWTPayload): Promise<RequestContext | null> {
    const { sub, tid, scope, ptyp } = payload;
    if (ptyp !== 'user' || typeof sub !== 'string' || typeof tid !== 'string' || !UUID_RE.test(tid))
      return null;
    if (scope !== undefined && typeof scope !== 'string') return null;
    const principal = await this.users.activePrincipal(tid, sub);
    if (!principal) return null;
    const scopes = scope ? scope.split(' ').filter((s) => s.length > 0) : [];
    return new RequestContext(
      tid,
      { type: 'user', id: sub, userId: sub, isAdmin: principal.isAdmin },
      'rest',
      requestIdOf(request),
      // An empty scope claim narrows nothing: the user's own permissions apply.
      scopes.length > 0 ? scopes : null,
    );
  }
}

function requestIdOf(request: BearerRequest): string {
  const id = (request as { id?: unknown }).id;
  return typeof id === 'string' ? id : String(id ?? 'unknown');
}

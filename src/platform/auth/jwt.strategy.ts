import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { decodeProtectedHeader, JWTPayload } from 'jose';
import type { KeyObject } from 'node:crypto';
import { ExtractJwt, SecretOrKeyProvider, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/config.js';
import { RequestContext } from '../context/request-context.js';
import { UUID_RE } from '../database/ids.js';
import { narrowByScopes } from '../security/permissions.js';
import { KeysService, SIGNING_ALG } from './keys.service.js';
import { ClientPrincipalResolver } from './oauth-clients/client-principal.resolver.js';
import { ACCESS_TOKEN_TYP } from './token.service.js';
import { UsersService } from './users.service.js';

/** Small allowance for clock drift between the replica that signed a token and the one checking it. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** How long a token whose signature verified is trusted without verifying it again. */
const VERIFIED_TTL_MS = 30_000;
/** Bound on remembered tokens (oldest forgotten first). */
const VERIFIED_MAX = 10_000;

/**
 * The key store could not be read while looking a kid up. passport-jwt reports every key-provider
 * error as a failed authentication; the guard recognises this one and turns it into a server
 * error instead of a 401, since the token itself may well be fine.
 */
export class KeyStoreUnavailableError extends Error {
  override readonly name = 'KeyStoreUnavailableError';
  constructor(cause: unknown) {
    super('the signing key store could not be read', { cause });
  }
}

/** The part of an HTTP request (Fastify's, here) this strategy reads. */
interface HttpRequest {
  id?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * passport-jwt's typings say the key provider hands back a string or Buffer, but jsonwebtoken 9
 * (which it calls) takes a KeyObject too, and that saves parsing a PEM on every request.
 */
type KeyDone = (err: Error | null, key?: KeyObject) => void;

/**
 * Verifies Rapport access tokens through passport-jwt (jsonwebtoken): signature by `kid`, RS256
 * only, `typ` at+jwt, issuer, audience, expiry; then the claims and the user in validate(). Turns
 * them into a RequestContext. Its channel is 'rest'; the guard switches it for GraphQL.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly keys: KeysService,
    config: AppConfig,
    private readonly users: UsersService,
    private readonly clients: ClientPrincipalResolver,
  ) {
    const secretOrKeyProvider = (_request: unknown, rawJwtToken: unknown, done: KeyDone): void => {
      // Checked here, before jsonwebtoken sees the token: it ignores `typ`, and refusing any other
      // alg up front means no key is ever offered for `none` or HS* (algorithm confusion).
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        if (typeof rawJwtToken !== 'string') throw new Error('not a compact JWS');
        header = decodeProtectedHeader(rawJwtToken);
      } catch {
        return done(new Error('malformed token header'));
      }
      if (header.typ !== ACCESS_TOKEN_TYP) return done(new Error('not an access token (typ)'));
      if (header.alg !== SIGNING_ALG) return done(new Error('unexpected alg'));
      if (typeof header.kid !== 'string') return done(new Error('no kid'));
      keys.verificationKey(header.kid).then(
        (key) => (key ? done(null, key) : done(new Error('unknown kid'))),
        (err: unknown) => done(new KeyStoreUnavailableError(err)),
      );
    };
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: secretOrKeyProvider as unknown as SecretOrKeyProvider,
      algorithms: [SIGNING_ALG],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS },
      passReqToCallback: true,
    });
  }

  /**
   * Tokens whose signature, alg, typ, issuer, audience and expiry passed within the last 30 s.
   * A client sends the same token with every request for its 15-minute life; verifying the RSA
   * signature of the same bytes again each time is the largest cost of authentication
   * (bench/README.md). An entry never outlives the token's `exp`, and `validate` still runs on
   * every request, so a disabled user or a changed role applies as before, and the token's key
   * must still be one this replica verifies with, so a retired key stops its tokens at once.
   */
  private readonly verified = new Map<string, { payload: JWTPayload; kid: string; until: number }>();

  /** The verified payload of this exact token, if it is remembered and not expired. */
  verifiedPayload(token: string): JWTPayload | undefined {
    const entry = this.verified.get(token);
    if (!entry) return undefined;
    if (Date.now() < entry.until && this.keys.isVerifying(entry.kid)) return entry.payload;
    this.verified.delete(token);
    return undefined;
  }

  private remember(request: HttpRequest, payload: JWTPayload): void {
    const token = bearerOf(request);
    if (!token || typeof payload.exp !== 'number' || this.verified.has(token)) return;
    // passport-jwt verified it just now, so the header parses and names a kid.
    const { kid } = decodeProtectedHeader(token);
    if (typeof kid !== 'string') return;
    const until = Math.min(payload.exp * 1000, Date.now() + VERIFIED_TTL_MS);
    if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { payload, kid, until });
  }

  /**
   * Checks the claims jsonwebtoken does not require (it only validates exp/iat when present), then
   * resolves the token's user now, so a disabled or deleted user's unexpired tokens stop working,
   * and their effective permissions: the role's grants intersected with the token's scopes.
   */
  async validate(request: HttpRequest, payload: JWTPayload): Promise<RequestContext | null> {
    if (typeof payload !== 'object' || payload === null) return null;
    this.remember(request, payload);
    const { sub, tid, iat, exp, jti, scope, ptyp } = payload;
    if (typeof iat !== 'number' || typeof exp !== 'number') return null;
    if (typeof jti !== 'string' || jti.length === 0) return null;
    // OAuth client tokens (client_credentials): resolved against the client and its role.
    if (ptyp === 'client') return this.clients.resolve(payload, requestIdOf(request));
    if (ptyp !== 'user' || typeof sub !== 'string' || typeof tid !== 'string' || !UUID_RE.test(tid))
      return null;
    if (scope !== undefined && typeof scope !== 'string') return null;
    const principal = await this.users.activePrincipal(tid, sub);
    if (!principal) return null;
    const claimed = scope ? scope.split(' ').filter((s) => s.length > 0) : [];
    // An empty scope claim narrows nothing: the user's own permissions apply.
    const scopes = claimed.length > 0 ? claimed : null;
    return new RequestContext(
      tid,
      {
        type: 'user',
        id: sub,
        userId: sub,
        isAdmin: principal.isAdmin,
        ...(principal.roleId ? { roleId: principal.roleId } : {}),
        teamIds: principal.teamIds,
      },
      'rest',
      requestIdOf(request),
      scopes,
      // Resolved from the user's role on every request (through a cache of a few seconds), not
      // from the token: a role change or deactivation applies to tokens already issued.
      narrowByScopes(principal.permissions, scopes),
      principal.permissions,
    );
  }
}

function bearerOf(request: HttpRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^bearer +(\S+) *$/i.exec(header);
  return m ? m[1] : undefined;
}

function requestIdOf(request: HttpRequest): string {
  const id = request.id;
  return typeof id === 'string' ? id : String(id ?? 'unknown');
}

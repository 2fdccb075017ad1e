import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { AppConfig } from '../config/config.js';
import { DomainError } from '../http/domain-error.js';
import { allPermissions } from '../security/permissions.js';
import { KeysService } from './keys.service.js';
import { LoginThrottle } from './login-throttle.js';
import { ClientCredentialsGrant, PresentedClient } from './oauth-clients/client-credentials.grant.js';
import { MAX_PASSWORD_LENGTH } from './password-hasher.js';
import { AccessToken, TokenService, TokenSet } from './token.service.js';
import { UsersService } from './users.service.js';

/** RFC 6749 §5.1 success body. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  /** absent for client_credentials (RFC 6749 §4.4.3) */
  refresh_token?: string;
  scope: string;
}

/** RFC 8414 authorization server metadata. */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  grant_types_supported: string[];
  response_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  scopes_supported: string[];
  service_documentation: string;
}

/** Parameters this endpoint reads; RFC 6749 §3.2 says any other parameter is ignored, not refused. */
const KNOWN_PARAMS = [
  'grant_type',
  'username',
  'password',
  'scope',
  'refresh_token',
  'client_id',
  'client_secret',
] as const;
type KnownParam = (typeof KNOWN_PARAMS)[number];
type TokenParams = Partial<Record<KnownParam, string>>;

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces. */
const SCOPE_TOKEN_RE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const MAX_PARAM_LENGTH = 4096;

/**
 * The token endpoint's rules; the controller only hands over the body, the Authorization header
 * and the client's IP address.
 *
 * Clients: first-party apps are public clients (no authentication, RFC 6749 §2.1) and use the
 * password and refresh_token grants; partner applications are confidential OAuth clients
 * (/v1/oauth-clients) that authenticate with `client_secret_basic` or `client_secret_post` and use
 * client_credentials only.
 */
@Injectable()
export class OAuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly keys: KeysService,
    private readonly clients: ClientCredentialsGrant,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** `requestId` (X-Request-Id) goes into the audit events of the sign-in or grant. */
  async token(
    body: unknown,
    authorization?: string,
    ip?: string,
    requestId?: string,
  ): Promise<TokenResponse> {
    const params = readParams(body);
    const presented = presentedClient(params, authorization);
    // Presented credentials are checked whatever the grant: a wrong secret is invalid_client.
    const client = presented ? await this.clients.authenticate(presented) : null;
    if (client && params.grant_type !== undefined && params.grant_type !== 'client_credentials') {
      throw new DomainError(
        'UNAUTHORIZED_CLIENT',
        'OAuth clients may only use the client_credentials grant.',
      );
    }
    switch (params.grant_type) {
      case undefined:
        throw new DomainError('BAD_REQUEST', 'The grant_type parameter is required.');
      case 'password':
        return toResponse(await this.passwordGrant(params, ip, requestId));
      case 'refresh_token':
        return toResponse(await this.granted(await this.refreshGrant(params), 'refresh_token', requestId));
      case 'client_credentials': {
        if (!client) {
          throw new DomainError(
            'INVALID_CLIENT',
            'The client_credentials grant needs client authentication: HTTP Basic, or client_id and client_secret.',
          );
        }
        const scope = params.scope === undefined ? null : parseScope(params.scope).split(' ');
        return toResponse(
          await this.granted(await this.clients.issue(client, scope), 'client_credentials', requestId),
        );
      }
      default:
        throw new DomainError(
          'UNSUPPORTED_GRANT_TYPE',
          `The grant type "${params.grant_type.slice(0, 64)}" is not supported.`,
        );
    }
  }

  metadata(): AuthorizationServerMetadata {
    const issuer = this.config.JWT_ISSUER;
    const base = issuer.replace(/\/+$/, '');
    return {
      issuer,
      token_endpoint: `${base}/oauth/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      grant_types_supported: ['password', 'refresh_token', 'client_credentials'],
      // There is no authorization endpoint, so no response type is offered.
      response_types_supported: [],
      // 'none': first-party public clients (password, refresh_token); the others: OAuth clients.
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      // Scopes are permission strings: a token's scope narrows its principal's permissions.
      scopes_supported: allPermissions(),
      service_documentation: `${base}/docs`,
    };
  }

  jwks(): ReturnType<KeysService['jwks']> {
    return this.keys.jwks();
  }

  /** Audits a token grant (after the fact, in its own transaction) and passes the tokens on. */
  private async granted<T extends { accessToken: string }>(
    set: T,
    grantType: string,
    requestId: string | undefined,
  ): Promise<T> {
    await this.audit.recordTokenGrant(set.accessToken, grantType, requestId);
    return set;
  }

  private async passwordGrant(
    params: TokenParams,
    ip: string | undefined,
    requestId?: string,
  ): Promise<TokenSet> {
    const { username, password } = params;
    if (!username || password === undefined) {
      throw new DomainError('BAD_REQUEST', 'The password grant needs the username and password parameters.');
    }
    const scope = parseScope(params.scope);
    // Counted before the password is checked (and refused with 429 while the email or IP waits).
    const attempt = await this.throttle.admit(username, ip);
    if (password.length > MAX_PASSWORD_LENGTH) throw invalidCredentials();
    const verified = await this.users.verifyCredentials(username, password);
    if (!verified) {
      // Audited in the user's tenant when the email is known; see AuditService.recordLoginFailed.
      await this.audit.recordLoginFailed(username, requestId, 'invalid_credentials');
      throw invalidCredentials();
    }
    await this.throttle.succeeded(attempt);
    const { user, rehash } = verified;
    // Scopes only narrow what the user holds: asking for more is invalid_scope (RFC 6749 §5.2).
    if (scope) {
      const held =
        (await this.users.activePrincipal(user.tenantId, user.id))?.permissions ?? new Set<string>();
      const beyond = scope.split(' ').filter((s) => !held.has(s));
      if (beyond.length > 0)
        throw new DomainError(
          'INVALID_SCOPE',
          `The scope exceeds what the user may do: ${beyond.join(' ').slice(0, 200)}.`,
        );
    }
    return this.tokens.issue(user.tenantId, user.id, scope, async (em) => {
      await this.users.recordLogin(em, user.tenantId, user.id, rehash);
      await this.audit.recordLogin(em, { tenantId: user.tenantId, userId: user.id, scope, requestId });
    });
  }

  private refreshGrant(params: TokenParams): Promise<TokenSet> {
    if (!params.refresh_token)
      throw new DomainError('BAD_REQUEST', 'The refresh_token grant needs the refresh_token parameter.');
    const requested = params.scope === undefined ? undefined : parseScope(params.scope);
    return this.tokens.rotate(params.refresh_token, (familyScope) => narrowScope(familyScope, requested));
  }
}

function readParams(body: unknown): TokenParams {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError(
      'BAD_REQUEST',
      'Send the token request as application/x-www-form-urlencoded (or JSON) parameters.',
    );
  }
  const source = body as Record<string, unknown>;
  const params: TokenParams = {};
  for (const name of KNOWN_PARAMS) {
    if (!Object.hasOwn(source, name)) continue;
    const value = source[name];
    // A repeated form parameter arrives as an array; RFC 6749 §3.2 forbids repeating one.
    if (typeof value !== 'string')
      throw new DomainError('BAD_REQUEST', `The ${name} parameter must be a single string (given once).`);
    if (value.length > MAX_PARAM_LENGTH)
      throw new DomainError('BAD_REQUEST', `The ${name} parameter is too long.`);
    // RFC 6749 §3.2: a parameter sent without a value is treated as omitted.
    if (value !== '') params[name] = value;
  }
  return params;
}

/**
 * The client credentials of the request (RFC 6749 §2.3.1), or null for a public client. HTTP Basic
 * carries the form-urlencoded client_id and secret; client_secret_post sends them as parameters.
 * A client must not use both at once.
 */
function presentedClient(params: TokenParams, authorization: string | undefined): PresentedClient | null {
  const basic = /^basic +(\S*) *$/i.exec(authorization ?? '');
  if (basic) {
    if (params.client_secret !== undefined)
      throw new DomainError(
        'BAD_REQUEST',
        'Use one client authentication method: HTTP Basic or client_secret.',
      );
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = colon > 0 ? formDecode(decoded.slice(0, colon)) : null;
    const clientSecret = colon > 0 ? formDecode(decoded.slice(colon + 1)) : null;
    if (!clientId || !clientSecret) throw new DomainError('INVALID_CLIENT', 'Client authentication failed.');
    if (params.client_id !== undefined && params.client_id !== clientId)
      throw new DomainError('BAD_REQUEST', 'The client_id parameter differs from the authenticated client.');
    return { clientId, clientSecret };
  }
  if (params.client_secret === undefined) return null;
  if (params.client_id === undefined)
    throw new DomainError('INVALID_CLIENT', 'client_secret was sent without client_id.');
  return { clientId: params.client_id, clientSecret: params.client_secret };
}

/** application/x-www-form-urlencoded decoding of one Basic credential part; null when malformed. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

function parseScope(scope: string | undefined): string {
  if (scope === undefined) return '';
  const tokens = scope.split(' ');
  if (!tokens.every((t) => SCOPE_TOKEN_RE.test(t))) {
    throw new DomainError('INVALID_SCOPE', 'The scope must be space-separated scope tokens.');
  }
  return [...new Set(tokens)].join(' ');
}

/** RFC 6749 §6: a refresh may narrow the scope, never widen it; no scope means the original one. */
function narrowScope(familyScope: string, requested: string | undefined): string {
  if (requested === undefined || requested === '') return familyScope;
  if (familyScope === '') return requested;
  const granted = new Set(familyScope.split(' '));
  const extra = requested.split(' ').filter((s) => !granted.has(s));
  if (extra.length > 0)
    throw new DomainError(
      'INVALID_SCOPE',
      `The scope exceeds the originally granted one: ${extra.join(' ').slice(0, 200)}.`,
    );
  return requested;
}

function invalidCredentials(): DomainError {
  // Same text for unknown email, wrong password and disabled user: no account enumeration.
  return new DomainError('INVALID_GRANT', 'The username or password is incorrect.');
}

function toResponse(set: TokenSet | AccessToken): TokenResponse {
  return {
    access_token: set.accessToken,
    token_type: 'Bearer',
    expires_in: set.expiresIn,
    ...('refreshToken' in set ? { refresh_token: set.refreshToken } : {}),
    scope: set.scope,
  };
}

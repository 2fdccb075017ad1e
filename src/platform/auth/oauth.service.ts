import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config.js';
import { DomainError } from '../http/domain-error.js';
import { MAX_PASSWORD_LENGTH } from './password-hasher.js';
import { KeysService } from './keys.service.js';
import { TokenService, TokenSet } from './token.service.js';
import { UsersService } from './users.service.js';

/** RFC 6749 §5.1 success body. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
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

/** The token endpoint's rules; the controller only hands over the body and Authorization header. */
@Injectable()
export class OAuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly keys: KeysService,
    private readonly config: AppConfig,
  ) {}

  async token(body: unknown, authorization?: string): Promise<TokenResponse> {
    const params = readParams(body);
    // No OAuth clients exist yet: only public clients (no authentication) can be served, and any
    // presented client credential is by definition unknown (RFC 6749 §5.2 invalid_client).
    if (params.client_secret !== undefined || /^basic\s/i.test(authorization ?? '')) {
      throw new DomainError('INVALID_CLIENT', 'Client authentication failed: no such client.');
    }
    switch (params.grant_type) {
      case undefined:
        throw new DomainError('BAD_REQUEST', 'The grant_type parameter is required.');
      case 'password':
        return toResponse(await this.passwordGrant(params));
      case 'refresh_token':
        return toResponse(await this.refreshGrant(params));
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
      grant_types_supported: ['password', 'refresh_token'],
      // There is no authorization endpoint, so no response type is offered.
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['none'],
      service_documentation: `${base}/docs`,
    };
  }

  jwks(): ReturnType<KeysService['jwks']> {
    return this.keys.jwks();
  }

  private async passwordGrant(params: TokenParams): Promise<TokenSet> {
    const { username, password } = params;
    if (!username || password === undefined) {
      throw new DomainError('BAD_REQUEST', 'The password grant needs the username and password parameters.');
    }
    if (password.length > MAX_PASSWORD_LENGTH) throw invalidCredentials();
    const scope = parseScope(params.scope);
    const verified = await this.users.verifyCredentials(username, password);
    if (!verified) throw invalidCredentials();
    const { user, rehash } = verified;
    return this.tokens.issue(user.tenantId, user.id, scope, (em) =>
      this.users.recordLogin(em, user.tenantId, user.id, rehash),
    );
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

function toResponse(set: TokenSet): TokenResponse {
  return {
    access_token: set.accessToken,
    token_type: 'Bearer',
    expires_in: set.expiresIn,
    refresh_token: set.refreshToken,
    scope: set.scope,
  };
}

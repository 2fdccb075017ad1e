export type Channel = 'rest' | 'graphql' | 'bulk' | 'system';
export type PrincipalType = 'user' | 'apiKey' | 'oauthClient' | 'system';

export interface Principal {
  type: PrincipalType;
  /** user id, API key id, OAuth client id; 'system' for the service itself */
  id: string;
  /** the user an API key or token acts for, when there is one */
  userId?: string;
  /** OAuth client id (client_id) the token was issued to, if any */
  clientId?: string;
  isAdmin: boolean;
  /** the user's role (record-level security: role hierarchy); for a client, the role it acts as */
  roleId?: string;
  /** the teams the user belongs to (record-level security: team sharing) */
  teamIds?: readonly string[];
}

/**
 * Who is calling, for which tenant, through which channel. Every service method takes it first
 * (Vendure style) so that the tenant transaction, policy and audit travel with the call.
 */
export class RequestContext {
  constructor(
    readonly tenantId: string,
    readonly principal: Principal,
    readonly channel: Channel,
    readonly requestId: string,
    /** token scopes; null = unrestricted (the principal's own permissions apply) */
    readonly scopes: readonly string[] | null = null,
    /** effective permissions: the role's, narrowed by the token's scopes */
    readonly permissions: ReadonlySet<string> = new Set(),
    /**
     * what the principal holds before the token's scopes narrow it (defaults to `permissions`):
     * lets a refusal say `insufficient_scope` (RFC 6750 §3.1) rather than plain "forbidden"
     */
    readonly held: ReadonlySet<string> = permissions,
  ) {}

  /** Whether the caller holds `permission` (after scope narrowing). The system context holds all. */
  can(permission: string): boolean {
    return this.principal.type === 'system' || this.permissions.has(permission);
  }

  /** True when the principal holds `permission` but this token's scopes leave it out. */
  scopeExcludes(permission: string): boolean {
    return !this.can(permission) && this.held.has(permission);
  }

  static system(tenantId: string, requestId = 'system'): RequestContext {
    return new RequestContext(tenantId, { type: 'system', id: 'system', isAdmin: true }, 'system', requestId);
  }

  withChannel(channel: Channel): RequestContext {
    return new RequestContext(
      this.tenantId,
      this.principal,
      channel,
      this.requestId,
      this.scopes,
      this.permissions,
      this.held,
    );
  }
}

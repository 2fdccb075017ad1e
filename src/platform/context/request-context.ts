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
  ) {}

  static system(tenantId: string, requestId = 'system'): RequestContext {
    return new RequestContext(tenantId, { type: 'system', id: 'system', isAdmin: true }, 'system', requestId);
  }

  withChannel(channel: Channel): RequestContext {
    return new RequestContext(this.tenantId, this.principal, channel, this.requestId, this.scopes);
  }
}

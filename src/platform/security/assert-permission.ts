import type { RequestContext } from '../context/request-context.js';
import { DomainError } from '../http/domain-error.js';

/** The RFC 6750 §3.1 error code for a token whose scope is too narrow; also GraphQL's extensions.reason. */
export const INSUFFICIENT_SCOPE = 'insufficient_scope';

/**
 * The refusal for a caller lacking `missing`: `insufficient_scope` when the principal holds them
 * all and only the token's scope leaves them out (asking for a token with a wider scope would
 * help), a plain missing permission otherwise.
 */
export function permissionRefusal(ctx: RequestContext, missing: readonly string[]): DomainError {
  const list = missing.join(', ');
  if (missing.every((p) => ctx.scopeExcludes(p))) {
    return new DomainError(
      'FORBIDDEN',
      `${INSUFFICIENT_SCOPE}: the access token's scope does not include ${list}.`,
      [],
      {
        reason: INSUFFICIENT_SCOPE,
      },
    );
  }
  const holder =
    ctx.principal.type === 'oauthClient'
      ? 'this client is not allowed (its allowed scopes and role)'
      : ctx.principal.type === 'apiKey'
        ? "this key's owner does not hold"
        : 'your role does not grant';
  return new DomainError('FORBIDDEN', `This needs the permission ${list}, which ${holder}.`, [], {
    reason: 'missing_permission',
  });
}

/** Throws FORBIDDEN unless the caller holds every one of `permissions` (after scope narrowing). */
export function assertPermission(ctx: RequestContext, ...permissions: string[]): void {
  const missing = permissions.filter((p) => !ctx.can(p));
  if (missing.length > 0) throw permissionRefusal(ctx, missing);
}

import type { RequestContext } from '../../platform/context/request-context.js';
import { DomainError } from '../../platform/http/domain-error.js';
import { isKnownPermission, missingPermissions } from '../../platform/security/permissions.js';

/*
 * Rules shared by API keys and OAuth clients, the two credentials that act with a set of scopes.
 * Scopes are permission strings, and a credential can only narrow what its creator holds: the
 * privilege escalation Twenty's API keys allowed (a key bound to a stronger role) is refused here.
 */

/** Largest scope list of one credential (the migration's CHECK allows 200). */
const MAX_SCOPES = 100;

/**
 * Credentials are managed by people: an API key or a client token cannot mint or change keys or
 * clients, so a leaked credential cannot make itself a successor that outlives its revocation.
 */
export function requireUser(ctx: RequestContext, what: string): string {
  const userId = ctx.principal.type === 'user' ? ctx.principal.userId : undefined;
  if (!userId) {
    throw new DomainError(
      'FORBIDDEN',
      `${what} are managed by users: sign in with a user's access token, not an API key or client token.`,
      [],
      { reason: 'user_required' },
    );
  }
  return userId;
}

/** Deduplicated, known permission strings; 400 naming the unknown ones, or for an empty list. */
export function validScopes(requested: readonly string[], field: string): string[] {
  const scopes = [...new Set(requested)];
  if (scopes.length === 0 || scopes.length > MAX_SCOPES) {
    throw new DomainError('VALIDATION_FAILED', `${field} must list 1 to ${MAX_SCOPES} permissions.`, [
      { field, code: 'length', message: `${field} must list 1 to ${MAX_SCOPES} permissions` },
    ]);
  }
  const unknown = scopes.filter((s) => !isKnownPermission(s));
  if (unknown.length > 0) {
    const named = unknown.map((s) => s.slice(0, 100));
    throw new DomainError(
      'VALIDATION_FAILED',
      `Unknown permission${unknown.length === 1 ? '' : 's'} in ${field}: ${named.join(', ')}.`,
      named.map((s) => ({ field, code: 'unknown_permission', message: `'${s}' is not a permission` })),
    );
  }
  return scopes;
}

/**
 * 403 naming the scopes the caller does not hold right now (their role's permissions, narrowed by
 * the scope of the token they call with): a credential is never stronger than its creator.
 */
export function assertCallerHolds(ctx: RequestContext, scopes: readonly string[], field: string): void {
  const lacking = missingPermissions(ctx.permissions, scopes);
  if (lacking.length === 0) return;
  throw new DomainError(
    'FORBIDDEN',
    `You cannot give a credential permissions you do not hold yourself: ${lacking.join(', ')}.`,
    lacking.map((s) => ({ field, code: 'not_held', message: `you do not hold '${s}'` })),
    { reason: 'privilege_escalation' },
  );
}

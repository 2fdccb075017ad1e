import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { AuditService } from '../audit/audit.service.js';
import { requestOf } from '../context/ctx.decorator.js';
import { DomainError } from '../http/domain-error.js';
import { IS_PUBLIC } from '../auth/public.decorator.js';
import { INSUFFICIENT_SCOPE, permissionRefusal } from './assert-permission.js';
import { AUTHENTICATED_ONLY, REQUIRED_PERMISSIONS } from './require-permission.decorator.js';

/**
 * What a handler declares about access: public, any signed-in principal, or a set of permissions;
 * `undeclared` when it says nothing (refused at run time, caught by the guard-coverage test).
 */
export type AccessDeclaration =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'permissions'; permissions: readonly string[] }
  | { kind: 'undeclared' };

/** Reads a handler's declaration the way the guards do (method first, then its class). */
export function accessDeclaration(reflector: Reflector, handler: object, cls: object): AccessDeclaration {
  const targets = [handler, cls] as [() => void, () => void];
  if (reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) return { kind: 'public' };
  const permissions = reflector.getAllAndOverride<string[] | undefined>(REQUIRED_PERMISSIONS, targets);
  if (permissions?.length) return { kind: 'permissions', permissions };
  if (reflector.getAllAndOverride<boolean | undefined>(AUTHENTICATED_ONLY, targets))
    return { kind: 'authenticated' };
  return { kind: 'undeclared' };
}

/**
 * Global guard, registered after the AuthGuard (SecurityModule is imported after AuthModule, and
 * Nest runs global guards in registration order): checks the permissions a handler declares with
 * @RequirePermission against the caller's effective permissions. Deny by default: a handler that
 * declares neither permissions, @AuthenticatedOnly() nor @Public() is refused.
 *
 * When the principal's role grants the permission but the token's scopes leave it out, the refusal
 * says so (RFC 6750 §3.1 `insufficient_scope`): REST sets `WWW-Authenticate: Bearer
 * error="insufficient_scope", scope="…"`, GraphQL sets `extensions.reason`.
 *
 * GraphQL field resolvers (@ResolveField) do not pass through guards; relations check the
 * target's read permission in ObjectService (getMany, listChildren, expand).
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const type = context.getType<string>();
    if (type !== 'http' && type !== 'graphql') return true;
    const declared = accessDeclaration(this.reflector, context.getHandler(), context.getClass());
    if (declared.kind === 'public') return true;
    const ctx = requestOf(context).rapportCtx;
    // The AuthGuard runs first and either sets the context or throws; reaching here without one
    // means the guards are registered in the wrong order, which must never pass silently.
    if (!ctx) throw new Error('PermissionGuard ran before AuthGuard: no request context');
    if (declared.kind === 'authenticated') return true;
    if (declared.kind === 'undeclared') {
      throw new DomainError(
        'FORBIDDEN',
        'This operation declares no permission, so nobody may call it (deny by default).',
      );
    }
    const missing = declared.permissions.filter((p) => !ctx.can(p));
    if (missing.length === 0) return true;
    const refusal = permissionRefusal(ctx, missing);
    if (refusal.reason === INSUFFICIENT_SCOPE && type === 'http') {
      const reply = context.switchToHttp().getResponse<FastifyReply>();
      if (!reply.sent) {
        reply.header(
          'www-authenticate',
          `Bearer realm="rapport", error="${INSUFFICIENT_SCOPE}", scope="${missing.join(' ')}"`,
        );
      }
    }
    // Refused attempts are audited (issue 3 item 8); guards run before the AuditInterceptor.
    await this.audit.recordRefusal(context, refusal);
    throw refusal;
  }
}

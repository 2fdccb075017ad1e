import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const REQUIRED_PERMISSIONS = 'rapport:requiredPermissions';
export const AUTHENTICATED_ONLY = 'rapport:authenticatedOnly';

/**
 * The permissions a REST route or GraphQL query/mutation needs; the caller must hold all of them
 * (after the token's scopes narrow their role's). Checked by the global PermissionGuard; the
 * OpenAPI operation lists them as `x-required-permissions`.
 *
 * Every route and root operation declares this, @AuthenticatedOnly() or @Public(): a handler with
 * none is refused at run time (deny by default) and fails test/security/guard-coverage.
 */
export const RequirePermission = (...permissions: [string, ...string[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_PERMISSIONS, permissions),
    ApiExtension('x-required-permissions', permissions),
  );

/**
 * Any signed-in principal may call it, whatever its permissions: for what a caller asks about
 * itself (`GET /v1/me`, `viewer`) and for reads every member of a tenant needs (e.g. the role
 * list). Still needs a valid token; say so on purpose rather than by forgetting a decorator.
 */
export const AuthenticatedOnly = (): MethodDecorator & ClassDecorator =>
  SetMetadata(AUTHENTICATED_ONLY, true);

import { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { UUID_RE } from '../database/ids.js';
import { toDomainError } from '../http/problem.js';
import { registry } from '../registry/object-registry.js';
import type { AuditEventInput } from './audit.types.js';

/** What was attempted: object and record from the route or arguments, the operation, the refusal. */
export function describeAttempt(
  context: ExecutionContext,
  e: unknown,
): Omit<AuditEventInput, 'action' | 'outcome'> {
  const error = toDomainError(e);
  const reason = {
    code: error.code,
    ...(error.reason ? { reason: error.reason } : {}),
    detail: error.detail.slice(0, 300),
  };
  if (context.getType<string>() === 'graphql') {
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<GraphQLResolveInfo>();
    const args = gql.getArgs<Record<string, unknown>>();
    const id = typeof args.id === 'string' && UUID_RE.test(args.id) ? args.id : null;
    return {
      object: null,
      recordId: id,
      details: { operation: `${info.operation.operation} ${info.fieldName}`, ...reason },
    };
  }
  const request = context.switchToHttp().getRequest<{
    method: string;
    url: string;
    routeOptions?: { url?: string };
    params?: Record<string, string>;
  }>();
  const route = request.routeOptions?.url ?? request.url.split('?')[0];
  const segment = route.split('/')[2] ?? '';
  const object = registry.all().find((o) => o.plural === segment)?.name ?? (segment || null);
  const id = request.params?.id;
  return {
    object,
    recordId: typeof id === 'string' && UUID_RE.test(id) ? id : null,
    details: { operation: `${request.method} ${route}`, ...reason },
  };
}

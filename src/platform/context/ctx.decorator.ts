import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { DomainError } from '../http/domain-error.js';
import { RequestContext } from './request-context.js';

export interface ContextCarrier {
  rapportCtx?: RequestContext;
}

/** The request object of a REST call or a GraphQL operation. */
export function requestOf(context: ExecutionContext): ContextCarrier & Record<string, unknown> {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: ContextCarrier & Record<string, unknown> }>()
      .req;
  }
  return context.switchToHttp().getRequest();
}

/** Injects the caller's RequestContext (set by the authentication guard). */
export const Ctx = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext => {
  const ctx = requestOf(context).rapportCtx;
  if (!ctx) throw new DomainError('UNAUTHENTICATED', 'Authentication is required.');
  return ctx;
});

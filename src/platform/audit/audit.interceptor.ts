import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { toDomainError } from '../http/problem.js';
import { AuditService } from './audit.service.js';

/**
 * The audit trail's entry point on every REST route and GraphQL root field: a refused attempt
 * (any 403 the handler or the data layer throws) becomes a `denied` event in the caller's tenant,
 * written in a transaction of its own after the attempt's rolled back. Changes themselves are
 * recorded by the data layer (RecordService, …) inside their own transaction, not here.
 *
 * Guards run before interceptors: a guard that refuses (e.g. a permission guard) records its
 * refusal itself: `await audit.recordRefusal(context, error)` before throwing it. Requests without a tenant (no or a bad token)
 * are not a tenant's to audit.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = context.getType<string>();
    if (type !== 'http' && type !== 'graphql') return next.handle();
    if (type === 'graphql') {
      const info = GqlExecutionContext.create(context).getInfo<GraphQLResolveInfo>();
      // Field resolvers below the root belong to the root field's attempt.
      if (info.parentType.name !== 'Query' && info.parentType.name !== 'Mutation') return next.handle();
    }
    return next.handle().pipe(
      catchError((e: unknown) => {
        if (toDomainError(e).status !== 403) return throwError(() => e);
        return from(this.audit.recordRefusal(context, e)).pipe(mergeMap(() => throwError(() => e)));
      }),
    );
  }
}

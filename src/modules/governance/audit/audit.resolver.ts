import { Args, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import {
  AuthenticatedOnly,
  RequirePermission,
} from '../../../platform/security/require-permission.decorator.js';
import {
  AuditEventConnection,
  AuditEventDto,
  AuditEventsArgs,
  AuditVerificationDto,
  RecordHistoryArgs,
  RecordHistoryConnection,
} from './audit.dto.js';
import { AUDIT_READ, AuditPage, AuditQueryService } from './audit-query.service.js';

function connection<T>(page: AuditPage<T>) {
  return {
    nodes: page.data,
    edges: page.data.map((node, i) => ({ node, cursor: page.cursors[i] })),
    pageInfo: {
      hasNextPage: page.nextCursor !== null,
      endCursor: page.cursors[page.cursors.length - 1] ?? null,
    },
  };
}

@Resolver(() => AuditEventDto)
export class AuditResolver {
  constructor(private readonly audit: AuditQueryService) {}

  @Query(() => AuditEventConnection, {
    name: 'auditEvents',
    description:
      'The tenant’s audit trail, newest first, filtered and cursor-paginated. Diffs leave out fields your role may not read. Needs audit:read.',
  })
  @RequirePermission(AUDIT_READ)
  async auditEvents(
    @Ctx() ctx: RequestContext,
    @Args() args: AuditEventsArgs,
  ): Promise<AuditEventConnection> {
    const { ...filter } = args.filter ?? {};
    return connection(await this.audit.list(ctx, filter, args.first, args.after));
  }

  @Query(() => AuditVerificationDto, {
    name: 'auditVerification',
    description:
      'Walks the tenant’s audit hash chains; ok=false names the first broken event. Needs audit:read.',
  })
  @RequirePermission(AUDIT_READ)
  auditVerification(@Ctx() ctx: RequestContext): Promise<AuditVerificationDto> {
    return this.audit.verify(ctx);
  }

  @Query(() => RecordHistoryConnection, {
    name: 'recordHistory',
    description:
      'A record’s field history, newest first: per change, who made it and each changed field before and after. Needs read access to the record (NOT_FOUND otherwise).',
  })
  @AuthenticatedOnly()
  async recordHistory(
    @Ctx() ctx: RequestContext,
    @Args() args: RecordHistoryArgs,
  ): Promise<RecordHistoryConnection> {
    return connection(await this.audit.history(ctx, args.object, args.id, args.first, args.after));
  }
}

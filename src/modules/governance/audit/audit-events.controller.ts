import { applyDecorators, Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { ProblemDto } from '../../../platform/http/problem.dto.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { AuditEventPageDto, AuditEventsQueryDto, AuditVerificationDto } from './audit.dto.js';
import { AUDIT_READ, AuditQueryService } from './audit-query.service.js';

/** problem+json responses, each with what it means here. */
export const problems = (...statuses: [number, string][]) =>
  applyDecorators(
    ...statuses.map(([status, description]) => ApiResponse({ status, type: ProblemDto, description })),
  );

@ApiTags('audit')
@ApiBearerAuth('bearer')
@ApiExtraModels(ProblemDto)
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @RequirePermission(AUDIT_READ)
  @ApiOperation({
    summary: 'List audit events',
    description:
      'The tenant’s audit trail, newest first: every create, update, delete and restore (with the changed fields ' +
      'before and after), sign-in, failed sign-in, token grant, permission change and refused attempt. Filter by ' +
      'actor, OAuth client, object, record, action and time; keyset-paginated (follow nextCursor until it is null). ' +
      'Fields your role may not read are left out of the diffs. Needs audit:read.',
  })
  @ApiResponse({ status: 200, type: AuditEventPageDto, description: 'A page of events.' })
  @problems(
    [400, 'Invalid filter, cursor or limit (over 200).'],
    [401, 'Missing or invalid bearer token.'],
    [403, 'Needs audit:read.'],
  )
  async list(@Ctx() ctx: RequestContext, @Query() query: AuditEventsQueryDto): Promise<AuditEventPageDto> {
    const { limit, cursor, ...filter } = query;
    const page = await this.audit.list(ctx, filter, limit, cursor);
    return { data: page.data, nextCursor: page.nextCursor };
  }

  @Get('verify')
  @RequirePermission(AUDIT_READ)
  @ApiOperation({
    summary: 'Verify the audit trail',
    description:
      'Walks every hash chain of the tenant’s audit trail and recomputes each event’s hash, so a row altered, ' +
      'deleted or inserted directly in the database shows as ok=false with the first broken event. Takes time ' +
      'proportional to the trail’s length. Needs audit:read.',
  })
  @ApiResponse({ status: 200, type: AuditVerificationDto, description: 'The verification result.' })
  @problems([401, 'Missing or invalid bearer token.'], [403, 'Needs audit:read.'])
  verify(@Ctx() ctx: RequestContext): Promise<AuditVerificationDto> {
    return this.audit.verify(ctx);
  }
}

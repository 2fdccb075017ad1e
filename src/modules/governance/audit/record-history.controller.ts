import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { AuthenticatedOnly } from '../../../platform/security/require-permission.decorator.js';
import { HistoryPageDto, HistoryQueryDto } from './audit.dto.js';
import { problems } from './audit-events.controller.js';
import { AuditQueryService } from './audit-query.service.js';

/**
 * `GET /v1/{objects}/{id}/history` for every registered object (accounts, contacts, activities,
 * and whatever later modules register). The permission depends on the object, so the route is
 * declared @AuthenticatedOnly() and the service checks `<objects>:read` and the record's
 * visibility (404 when the caller could not GET the record).
 */
@ApiTags('audit')
@ApiBearerAuth('bearer')
@Controller('v1')
export class RecordHistoryController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get(':object/:id/history')
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'Field history of a record',
    description:
      'The record’s changes from the audit trail, newest first: per create, update, delete or restore, who made it ' +
      '(actor, OAuth client, channel, request id), the version it produced, and each changed field before and after. ' +
      'Needs read access to the record (`<objects>:read`, and the record must be visible to you); fields your role ' +
      'may not read are left out. Keyset-paginated: follow nextCursor until it is null.',
  })
  @ApiParam({
    name: 'object',
    description: 'The object’s plural path segment, as in its own routes: accounts, contacts, activities, …',
    example: 'contacts',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The record id.' })
  @ApiResponse({ status: 200, type: HistoryPageDto, description: 'A page of changes.' })
  @problems(
    [400, 'Invalid cursor or limit (over 200).'],
    [401, 'Missing or invalid bearer token.'],
    [403, 'Needs read permission on the object.'],
    [404, 'No such object, or no such record (or not visible to you).'],
  )
  async history(
    @Ctx() ctx: RequestContext,
    @Param('object') object: string,
    @Param('id') id: string,
    @Query() query: HistoryQueryDto,
  ): Promise<HistoryPageDto> {
    const page = await this.audit.history(ctx, object, id, query.limit, query.cursor);
    return { data: page.data, nextCursor: page.nextCursor };
  }
}

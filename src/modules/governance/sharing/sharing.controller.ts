import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { adminPageType, idPipe, pageBody, problems } from '../admin-page.js';
import {
  AccessExplanationDto,
  AccessQueryDto,
  FieldPolicyDto,
  FieldPolicyInput,
  RecordShareDto,
  RecordShareGrantInput,
  RecordShareInput,
  SharingSettingDto,
  SharingSettingInput,
  ShareListQueryDto,
} from './sharing.dto.js';
import { SHARING_MANAGE, SharingService } from './sharing.service.js';

const SharePage = adminPageType(RecordShareDto, 'RecordShare');
const objectParam = ApiParam({
  name: 'object',
  description: 'The object as in its REST path: accounts, contacts or activities.',
  example: 'contacts',
});
const recordId = idPipe('record');

/**
 * Record-level sharing and field-level security, administered (`sharing:manage`): org-wide
 * defaults, record shares, field policies per role, and why a user can or cannot see a record.
 */
@ApiTags('sharing')
@ApiBearerAuth('bearer')
@Controller('v1')
export class SharingController {
  constructor(private readonly sharing: SharingService) {}

  @Get('sharing-settings')
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'List org-wide sharing defaults',
    description:
      'Every object’s org-wide default access (private, read or readWrite; readWrite when never set).',
  })
  @ApiOkResponse({ type: [SharingSettingDto], description: 'One setting per object.' })
  @problems(401, 403)
  listSettings(@Ctx() ctx: RequestContext): Promise<SharingSettingDto[]> {
    return this.sharing.listSettings(ctx);
  }

  @Get('sharing-settings/:object')
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'Get an object’s org-wide sharing default',
    description:
      'private, read or readWrite; isDefault is true when the tenant never set it (readWrite applies).',
  })
  @objectParam
  @ApiOkResponse({ type: SharingSettingDto, description: 'The setting.' })
  @problems(401, 403, 404)
  getSetting(@Ctx() ctx: RequestContext, @Param('object') object: string): Promise<SharingSettingDto> {
    return this.sharing.getSetting(ctx, object);
  }

  @Put('sharing-settings/:object')
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'Set an object’s org-wide sharing default',
    description:
      'private: a record is visible to its owner, managers above the owner’s role, and whoever it is shared with; read: everyone reads, only those may write; readWrite: everyone reads and writes. Applies at once.',
  })
  @objectParam
  @ApiBody({ type: SharingSettingInput })
  @ApiOkResponse({ type: SharingSettingDto, description: 'The new setting.' })
  @problems(400, 401, 403, 404)
  putSetting(
    @Ctx() ctx: RequestContext,
    @Param('object') object: string,
    @Body(createValidationPipe(SharingSettingInput)) input: SharingSettingInput,
  ): Promise<SharingSettingDto> {
    return this.sharing.putSetting(ctx, object, input.defaultAccess);
  }

  @Get('shares')
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'List record shares',
    description: 'Oldest first, keyset-paginated; filter by object, record, grantee type and grantee.',
  })
  @ApiOkResponse({ type: SharePage, description: 'A page.' })
  @problems(400, 401, 403, 404)
  async listShares(@Ctx() ctx: RequestContext, @Query() query: ShareListQueryDto) {
    return pageBody(await this.sharing.listShares(ctx, query));
  }

  @Post('shares')
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'Share a record',
    description:
      'Grants read or readWrite on one record to a user, a team or a role. One grant per grantee: sharing again changes its access (200); a new grant is a 201.',
  })
  @ApiBody({ type: RecordShareInput })
  @ApiResponse({ status: 201, type: RecordShareDto, description: 'Shared.' })
  @ApiOkResponse({ type: RecordShareDto, description: 'An existing grant’s access changed.' })
  @problems(400, 401, 403, 404)
  async share(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(RecordShareInput)) input: RecordShareInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordShareDto> {
    const { share, created } = await this.sharing.share(ctx, input);
    reply.status(created ? 201 : 200);
    return share;
  }

  @Delete('shares/:id')
  @HttpCode(204)
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({ summary: 'Remove a share', description: 'The grantee loses what the share gave at once.' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The share id.' })
  @ApiResponse({ status: 204, description: 'Removed.' })
  @problems(401, 403, 404)
  async unshare(@Ctx() ctx: RequestContext, @Param('id', idPipe('share')) id: string): Promise<void> {
    await this.sharing.unshare(ctx, id);
  }

  @Get('field-policies/:roleId/:object')
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'Get a role’s field policy for an object',
    description: 'The stored rules and every field’s resulting access. No policy: every field editable.',
  })
  @ApiParam({ name: 'roleId', format: 'uuid', description: 'The role.' })
  @objectParam
  @ApiOkResponse({ type: FieldPolicyDto, description: 'The policy.' })
  @problems(401, 403, 404)
  getFieldPolicy(
    @Ctx() ctx: RequestContext,
    @Param('roleId', idPipe('role')) roleId: string,
    @Param('object') object: string,
  ): Promise<FieldPolicyDto> {
    return this.sharing.getFieldPolicy(ctx, roleId, object);
  }

  @Put('field-policies/:roleId/:object')
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'Set a role’s field policy for an object',
    description:
      'allowList: listed fields get their access, unlisted fields are hidden. denyList: listed fields get their access, unlisted fields are editable. Hidden fields are absent from REST, null with FORBIDDEN_FIELD in GraphQL, and refused in filter, sort, fields, expand and q; writing a field that is not edit is a 403. System and default-sort fields cannot be hidden.',
  })
  @ApiParam({ name: 'roleId', format: 'uuid', description: 'The role.' })
  @objectParam
  @ApiBody({ type: FieldPolicyInput })
  @ApiOkResponse({ type: FieldPolicyDto, description: 'The policy.' })
  @problems(400, 401, 403, 404)
  putFieldPolicy(
    @Ctx() ctx: RequestContext,
    @Param('roleId', idPipe('role')) roleId: string,
    @Param('object') object: string,
    @Body(createValidationPipe(FieldPolicyInput)) input: FieldPolicyInput,
  ): Promise<FieldPolicyDto> {
    return this.sharing.putFieldPolicy(ctx, roleId, object, input);
  }

  @Delete('field-policies/:roleId/:object')
  @HttpCode(204)
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'Remove a role’s field policy for an object',
    description: 'Every field editable again.',
  })
  @ApiParam({ name: 'roleId', format: 'uuid', description: 'The role.' })
  @objectParam
  @ApiResponse({ status: 204, description: 'Removed.' })
  @problems(401, 403, 404)
  async deleteFieldPolicy(
    @Ctx() ctx: RequestContext,
    @Param('roleId', idPipe('role')) roleId: string,
    @Param('object') object: string,
  ): Promise<void> {
    await this.sharing.deleteFieldPolicy(ctx, roleId, object);
  }

  @Get(':object/:id/shares')
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'List a record’s shares',
    description:
      'Every user, team and role the record is shared with, and the access each share grants; 404 if there is no such live record.',
  })
  @objectParam
  @ApiParam({ name: 'id', format: 'uuid', description: 'The record id.' })
  @ApiOkResponse({ type: [RecordShareDto], description: 'Its shares, oldest first.' })
  @problems(401, 403, 404)
  recordShares(
    @Ctx() ctx: RequestContext,
    @Param('object') object: string,
    @Param('id', recordId) id: string,
  ): Promise<RecordShareDto[]> {
    return this.sharing.recordShares(ctx, object, id);
  }

  @Post(':object/:id/shares')
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'Share a record',
    description:
      'As POST /v1/shares, for the record in the path: 201 for a new grant, 200 when an existing one changed.',
  })
  @objectParam
  @ApiParam({ name: 'id', format: 'uuid', description: 'The record id.' })
  @ApiBody({ type: RecordShareGrantInput })
  @ApiResponse({ status: 201, type: RecordShareDto, description: 'Shared.' })
  @ApiOkResponse({ type: RecordShareDto, description: 'An existing grant’s access changed.' })
  @problems(400, 401, 403, 404)
  async shareRecord(
    @Ctx() ctx: RequestContext,
    @Param('object') object: string,
    @Param('id', recordId) id: string,
    @Body(createValidationPipe(RecordShareGrantInput)) grant: RecordShareGrantInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordShareDto> {
    const { share, created } = await this.sharing.shareRecord(ctx, object, id, grant);
    reply.status(created ? 201 : 200);
    return share;
  }

  @Get(':object/:id/access')
  @RequirePermission(SHARING_MANAGE)
  @ApiOperation({
    summary: 'Explain a user’s access to a record',
    description:
      'Which record-level rule grants or denies read and write (admin, owner, hierarchy, user/team/role share, org default, or none), evaluated with the same SQL that enforces them, plus the user’s field access on the object. Deleted records are explained too.',
  })
  @objectParam
  @ApiParam({ name: 'id', format: 'uuid', description: 'The record id.' })
  @ApiOkResponse({ type: AccessExplanationDto, description: 'The explanation.' })
  @problems(400, 401, 403, 404)
  explain(
    @Ctx() ctx: RequestContext,
    @Param('object') object: string,
    @Param('id', recordId) id: string,
    @Query() query: AccessQueryDto,
  ): Promise<AccessExplanationDto> {
    return this.sharing.explain(ctx, object, id, query.userId);
  }
}

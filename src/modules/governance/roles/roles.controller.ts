import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import {
  AuthenticatedOnly,
  RequirePermission,
} from '../../../platform/security/require-permission.decorator.js';
import { AdminListQueryDto, adminPageType, idPipe, pageBody, problems } from '../admin-page.js';
import { CreateRoleInput, RoleDto, UpdateRoleInput } from './role.dto.js';
import { RolesService } from './roles.service.js';

const RolePage = adminPageType(RoleDto, 'Role');
const id = idPipe('role');

@ApiTags('roles')
@ApiBearerAuth('bearer')
@Controller('v1/roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'List roles',
    description: 'Every role of the tenant, oldest first; any signed-in caller may read them.',
  })
  @ApiOkResponse({ type: RolePage, description: 'A page.' })
  @problems(400, 401)
  async list(@Ctx() ctx: RequestContext, @Query() query: AdminListQueryDto) {
    return pageBody(await this.roles.list(ctx, query));
  }

  @Get(':id')
  @AuthenticatedOnly()
  @ApiOperation({ summary: 'Get a role', description: 'One role with the permissions it grants.' })
  @ApiOkResponse({ type: RoleDto, description: 'The role.' })
  @problems(401, 404)
  get(@Ctx() ctx: RequestContext, @Param('id', id) roleId: string): Promise<RoleDto> {
    return this.roles.get(ctx, roleId);
  }

  @Post()
  @RequirePermission('roles:manage')
  @ApiOperation({
    summary: 'Create a role',
    description:
      'Unknown permissions are a 400 naming them; granting a permission you do not hold yourself is a 403; a duplicate name is a 409.',
  })
  @ApiBody({ type: CreateRoleInput })
  @ApiResponse({ status: 201, type: RoleDto, description: 'Created.' })
  @problems(400, 401, 403, 409)
  create(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(CreateRoleInput)) input: CreateRoleInput,
  ): Promise<RoleDto> {
    return this.roles.create(ctx, input);
  }

  @Patch(':id')
  @RequirePermission('roles:manage')
  @ApiOperation({
    summary: 'Update a role',
    description:
      'Merge patch: absent properties stay. You may edit only a role granting nothing you lack; a parent that makes a loop is a 400; the admin role’s permissions never change (409).',
  })
  @ApiBody({ type: UpdateRoleInput })
  @ApiOkResponse({ type: RoleDto, description: 'Updated.' })
  @problems(400, 401, 403, 404, 409)
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', id) roleId: string,
    @Body(createValidationPipe(UpdateRoleInput)) patch: UpdateRoleInput,
  ): Promise<RoleDto> {
    return this.roles.update(ctx, roleId, patch);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('roles:manage')
  @ApiOperation({
    summary: 'Delete a role',
    description: 'Built-in roles, roles held by users or clients and roles with roles below them answer 409.',
  })
  @ApiResponse({ status: 204, description: 'Deleted.' })
  @problems(401, 403, 404, 409)
  async remove(@Ctx() ctx: RequestContext, @Param('id', id) roleId: string): Promise<void> {
    await this.roles.remove(ctx, roleId);
  }
}

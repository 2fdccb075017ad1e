import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import {
  AuthenticatedOnly,
  RequirePermission,
} from '../../../platform/security/require-permission.decorator.js';
import { AdminListQueryDto, adminPageType, idPipe, pageBody, problems } from '../admin-page.js';
import { CreateUserInput, UpdateUserInput, UserDto } from './user.dto.js';
import { UserAdminService } from './user-admin.service.js';

const UserPage = adminPageType(UserDto, 'User');
const id = idPipe('user');

@ApiTags('users')
@ApiBearerAuth('bearer')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UserAdminService) {}

  @Get()
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'List users',
    description:
      'Every user of the tenant, oldest first; any signed-in caller may read them (e.g. to pick an owner).',
  })
  @ApiOkResponse({ type: UserPage, description: 'A page.' })
  @problems(400, 401)
  async list(@Ctx() ctx: RequestContext, @Query() query: AdminListQueryDto) {
    return pageBody(await this.users.list(ctx, query));
  }

  @Get(':id')
  @AuthenticatedOnly()
  @ApiOperation({ summary: 'Get a user', description: 'One user, with role and teams.' })
  @ApiOkResponse({ type: UserDto, description: 'The user.' })
  @problems(401, 404)
  get(@Ctx() ctx: RequestContext, @Param('id', id) userId: string): Promise<UserDto> {
    return this.users.get(ctx, userId);
  }

  @Post()
  @RequirePermission('users:manage')
  @ApiOperation({
    summary: 'Create a user',
    description:
      'Emails are unique across tenants (409). Giving a role that grants a permission you do not hold is a 403.',
  })
  @ApiBody({ type: CreateUserInput })
  @ApiResponse({ status: 201, type: UserDto, description: 'Created.' })
  @problems(400, 401, 403, 409)
  create(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(CreateUserInput)) input: CreateUserInput,
  ): Promise<UserDto> {
    return this.users.create(ctx, input);
  }

  @Patch(':id')
  @RequirePermission('users:manage')
  @ApiOperation({
    summary: 'Update a user',
    description:
      'Change the display name or role. You may change only users holding nothing you lack, and give only roles granting nothing you lack (403).',
  })
  @ApiBody({ type: UpdateUserInput })
  @ApiOkResponse({ type: UserDto, description: 'Updated.' })
  @problems(400, 401, 403, 404)
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', id) userId: string,
    @Body(createValidationPipe(UpdateUserInput)) patch: UpdateUserInput,
  ): Promise<UserDto> {
    return this.users.update(ctx, userId, patch);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @RequirePermission('users:manage')
  @ApiOperation({
    summary: 'Deactivate a user',
    description:
      'The user can no longer sign in; their refresh tokens are revoked and their access tokens refused from the next request on. You cannot deactivate yourself (409).',
  })
  @ApiOkResponse({ type: UserDto, description: 'Deactivated.' })
  @problems(401, 403, 404, 409)
  deactivate(@Ctx() ctx: RequestContext, @Param('id', id) userId: string): Promise<UserDto> {
    return this.users.deactivate(ctx, userId);
  }

  @Post(':id/activate')
  @HttpCode(200)
  @RequirePermission('users:manage')
  @ApiOperation({
    summary: 'Activate a user',
    description: 'Lets a deactivated user sign in again; sessions revoked at deactivation stay revoked.',
  })
  @ApiOkResponse({ type: UserDto, description: 'Activated.' })
  @problems(401, 403, 404)
  activate(@Ctx() ctx: RequestContext, @Param('id', id) userId: string): Promise<UserDto> {
    return this.users.activate(ctx, userId);
  }
}

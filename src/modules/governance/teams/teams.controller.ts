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
import { CreateTeamInput, TeamDto, UpdateTeamInput } from './team.dto.js';
import { TeamsService } from './teams.service.js';

const TeamPage = adminPageType(TeamDto, 'Team');
const id = idPipe('team');
const userId = idPipe('user');

@ApiTags('teams')
@ApiBearerAuth('bearer')
@Controller('v1/teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'List teams',
    description: 'Every team of the tenant with its members, oldest first.',
  })
  @ApiOkResponse({ type: TeamPage, description: 'A page.' })
  @problems(400, 401)
  async list(@Ctx() ctx: RequestContext, @Query() query: AdminListQueryDto) {
    return pageBody(await this.teams.list(ctx, query));
  }

  @Get(':id')
  @AuthenticatedOnly()
  @ApiOperation({ summary: 'Get a team', description: 'One team with its members.' })
  @ApiOkResponse({ type: TeamDto, description: 'The team.' })
  @problems(401, 404)
  get(@Ctx() ctx: RequestContext, @Param('id', id) teamId: string): Promise<TeamDto> {
    return this.teams.get(ctx, teamId);
  }

  @Post()
  @RequirePermission('users:manage')
  @ApiOperation({ summary: 'Create a team', description: 'A duplicate name is a 409.' })
  @ApiBody({ type: CreateTeamInput })
  @ApiResponse({ status: 201, type: TeamDto, description: 'Created.' })
  @problems(400, 401, 403, 409)
  create(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(CreateTeamInput)) input: CreateTeamInput,
  ): Promise<TeamDto> {
    return this.teams.create(ctx, input);
  }

  @Patch(':id')
  @RequirePermission('users:manage')
  @ApiOperation({
    summary: 'Update a team',
    description: 'Merge patch: absent properties stay, null clears the description.',
  })
  @ApiBody({ type: UpdateTeamInput })
  @ApiOkResponse({ type: TeamDto, description: 'Updated.' })
  @problems(400, 401, 403, 404, 409)
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', id) teamId: string,
    @Body(createValidationPipe(UpdateTeamInput)) patch: UpdateTeamInput,
  ): Promise<TeamDto> {
    return this.teams.update(ctx, teamId, patch);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('users:manage')
  @ApiOperation({
    summary: 'Delete a team',
    description: 'Its memberships go with it; records shared with it no longer are.',
  })
  @ApiResponse({ status: 204, description: 'Deleted.' })
  @problems(401, 403, 404)
  async remove(@Ctx() ctx: RequestContext, @Param('id', id) teamId: string): Promise<void> {
    await this.teams.remove(ctx, teamId);
  }

  @Post(':id/members/:userId')
  @HttpCode(204)
  @RequirePermission('users:manage')
  @ApiOperation({
    summary: 'Add a team member',
    description: 'Idempotent: adding a member twice changes nothing.',
  })
  @ApiResponse({ status: 204, description: 'The user is a member.' })
  @problems(401, 403, 404)
  async addMember(
    @Ctx() ctx: RequestContext,
    @Param('id', id) teamId: string,
    @Param('userId', userId) memberId: string,
  ): Promise<void> {
    await this.teams.addMember(ctx, teamId, memberId);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @RequirePermission('users:manage')
  @ApiOperation({
    summary: 'Remove a team member',
    description: 'Idempotent: removing a non-member changes nothing.',
  })
  @ApiResponse({ status: 204, description: 'The user is not a member.' })
  @problems(401, 403, 404)
  async removeMember(
    @Ctx() ctx: RequestContext,
    @Param('id', id) teamId: string,
    @Param('userId', userId) memberId: string,
  ): Promise<void> {
    await this.teams.removeMember(ctx, teamId, memberId);
  }
}

import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { Connection, ConnectionType, toConnection } from '../../../platform/records/connection.js';
import { graphqlUuid } from '../../../platform/records/record.resolver.js';
import {
  AuthenticatedOnly,
  RequirePermission,
} from '../../../platform/security/require-permission.decorator.js';
import { AdminPageArgs } from '../admin-page.js';
import { CreateTeamInput, TeamDto, UpdateTeamInput } from './team.dto.js';
import { TeamsService } from './teams.service.js';

const TeamConnection = ConnectionType(TeamDto, 'Team');

@Resolver(() => TeamDto)
export class TeamsResolver {
  constructor(private readonly teams: TeamsService) {}

  @AuthenticatedOnly()
  @Query(() => TeamConnection, {
    name: 'teams',
    description: 'The tenant’s teams, oldest first. REST: GET /v1/teams.',
  })
  async list(@Ctx() ctx: RequestContext, @Args() args: AdminPageArgs): Promise<Connection> {
    return toConnection(await this.teams.list(ctx, { limit: args.first, cursor: args.after }));
  }

  @AuthenticatedOnly()
  @Query(() => TeamDto, { name: 'team', description: 'One team (NOT_FOUND if absent).' })
  get(@Ctx() ctx: RequestContext, @Args('id', { type: () => ID }, graphqlUuid) id: string): Promise<TeamDto> {
    return this.teams.get(ctx, id);
  }

  @RequirePermission('users:manage')
  @Mutation(() => TeamDto, { description: 'Create a team.' })
  createTeam(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => CreateTeamInput }, createValidationPipe(CreateTeamInput))
    input: CreateTeamInput,
  ): Promise<TeamDto> {
    return this.teams.create(ctx, input);
  }

  @RequirePermission('users:manage')
  @Mutation(() => TeamDto, { description: 'Merge-update a team.' })
  updateTeam(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => UpdateTeamInput }, createValidationPipe(UpdateTeamInput))
    input: UpdateTeamInput,
  ): Promise<TeamDto> {
    return this.teams.update(ctx, id, input);
  }

  @RequirePermission('users:manage')
  @Mutation(() => Boolean, { description: 'Delete a team and its memberships.' })
  async deleteTeam(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<boolean> {
    await this.teams.remove(ctx, id);
    return true;
  }

  @RequirePermission('users:manage')
  @Mutation(() => TeamDto, { description: 'Add a user to a team (idempotent).' })
  addTeamMember(
    @Ctx() ctx: RequestContext,
    @Args('teamId', { type: () => ID }, graphqlUuid) teamId: string,
    @Args('userId', { type: () => ID }, graphqlUuid) userId: string,
  ): Promise<TeamDto> {
    return this.teams.addMember(ctx, teamId, userId);
  }

  @RequirePermission('users:manage')
  @Mutation(() => TeamDto, { description: 'Remove a user from a team (idempotent).' })
  removeTeamMember(
    @Ctx() ctx: RequestContext,
    @Args('teamId', { type: () => ID }, graphqlUuid) teamId: string,
    @Args('userId', { type: () => ID }, graphqlUuid) userId: string,
  ): Promise<TeamDto> {
    return this.teams.removeMember(ctx, teamId, userId);
  }
}
